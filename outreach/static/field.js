// The officer's forms on a phone: the error summary takes the focus, photos are made smaller
// before upload (several, from the camera or the gallery, one pick after another), and what is
// typed is kept on the device until the server has accepted it, so that an expired session or
// form token loses nothing. Every form works without this script. No inline scripts (CSP).
(function () {
  "use strict";

  // --- the error summary at the top of a form gets the focus (and the screen) -------------
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({block: "start"});
  }

  // --- typed input kept until the server accepted it ---------------------------------------
  var PREFIX = "outreach-draft:";
  var PENDING = "outreach-draft-pending";
  var WEEK = 7 * 24 * 3600 * 1000;
  var storage = null;
  try { storage = window.localStorage; } catch (e) { storage = null; }

  function keyOf(form) {
    return PREFIX + (form.getAttribute("action") || window.location.pathname + window.location.search);
  }

  function kept(form) {
    // what is typed or chosen: no files, no tokens, no hidden versions
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.type !== "hidden" && el.type !== "submit"
        && el.type !== "button" && el.name !== "csrf_token";
    });
  }

  function save(form) {
    var values = {};
    kept(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { (values[el.name] = values[el.name] || []).push(el.value); }
      } else {
        values[el.name] = [el.value];
      }
    });
    try { storage.setItem(keyOf(form), JSON.stringify({at: Date.now(), values: values})); } catch (e) { /* full */ }
  }

  function restore(form) {
    var raw = storage.getItem(keyOf(form));
    if (!raw) { return false; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return false; }
    if (!draft || Date.now() - draft.at > WEEK) { storage.removeItem(keyOf(form)); return false; }
    kept(form).forEach(function (el) {
      var values = draft.values[el.name];
      if (!values) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values.indexOf(el.value) !== -1 && !el.disabled;
      } else {
        el.value = values[0];
      }
    });
    return true;
  }

  if (storage) {
    var forms = document.querySelectorAll("form[data-keep-draft]");
    var pending = null;
    try { pending = window.sessionStorage.getItem(PENDING); } catch (e) { pending = null; }
    var stillOpen = Array.prototype.some.call(forms, function (f) { return keyOf(f) === pending; });
    var waiting = document.getElementById("back-to-form")
      || document.querySelector("input[type=password]");
    if (pending && !stillOpen && !waiting) {
      // the form was sent and the server answered with another page: it was saved
      storage.removeItem(pending);
      window.sessionStorage.removeItem(PENDING);
    }
    forms.forEach(function (form) {
      // a page showing the server's errors already holds what was sent; otherwise put back
      // what was typed before the session or the form token expired
      if (!summary && restore(form) && form.dataset.restored) {
        var note = document.createElement("div");
        note.className = "alert alert-info";
        note.setAttribute("role", "status");
        note.textContent = form.dataset.restored;
        form.insertBefore(note, form.firstChild);
      }
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("change", function () { save(form); });
      form.addEventListener("submit", function () {
        save(form);
        try { window.sessionStorage.setItem(PENDING, keyOf(form)); } catch (e) { /* private mode */ }
      });
    });
  }

  // --- photos: several, resized on the phone, never larger than the server accepts ---------
  var EDGE = 1600;      // longest side in pixels: a document stays readable
  var QUALITY = 0.82;   // JPEG quality
  var RESIZED = /^image\/(jpeg|png|webp)$/;

  function human(bytes) {
    return bytes < 1024 * 1024 ? Math.round(bytes / 1024) + " KB"
      : (bytes / 1024 / 1024).toFixed(1).replace(".", ",") + " MB";
  }

  function shrink(file) {
    if (!RESIZED.test(file.type) || !window.createImageBitmap || !window.DataTransfer) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, EDGE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1024 * 1024) { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
          resolve(new File([blob], name, {type: "image/jpeg", lastModified: file.lastModified}));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  document.querySelectorAll("input[type=file][data-photos]").forEach(function (input) {
    var form = input.form;
    var limit = parseInt(form.getAttribute("data-photo-max") || "0", 10);
    var error = form.querySelector("[data-photo-error]");
    var list = form.querySelector("[data-photo-list]");
    var chosen = [];   // the files of every pick so far
    var busy = null;

    function show() {
      input.value = "";
      var transfer = new DataTransfer();
      chosen.forEach(function (f) { transfer.items.add(f); });
      input.files = transfer.files;
      list.textContent = "";
      chosen.forEach(function (f) {
        var item = document.createElement("li");
        item.textContent = f.name + " (" + human(f.size) + ")";
        list.appendChild(item);
      });
    }

    input.addEventListener("change", function () {
      if (!window.DataTransfer) { return; }
      var picked = Array.prototype.slice.call(input.files);
      error.textContent = "";
      busy = Promise.all(picked.map(shrink)).then(function (files) {
        files.forEach(function (f) {
          if (limit && f.size > limit) {
            error.textContent = f.name + ": " + form.getAttribute("data-photo-too-large");
          } else {
            chosen.push(f);
          }
        });
        show();
        busy = null;
      });
    });

    form.addEventListener("submit", function (event) {
      if (busy) {  // wait for the resizing, then send
        event.preventDefault();
        busy.then(function () { form.requestSubmit(); });
      }
    });
  });
})();
