// Small progressive enhancements; every page works without them. No inline scripts (CSP).
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');

  // Live preview of a letter template while it is edited.
  var body = document.querySelector("textarea[data-preview-url]");
  if (body && window.fetch) {
    var target = document.getElementById("preview");
    var timer = null;
    var refresh = function () {
      var form = new FormData();
      form.append("body", body.value);
      fetch(body.getAttribute("data-preview-url"), {
        method: "POST", body: form, credentials: "same-origin",
        headers: {"X-CSRFToken": csrf ? csrf.content : ""}
      }).then(function (r) { return r.text(); }).then(function (html) {
        target.innerHTML = html;
      });
    };
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  }

  // Buttons that start long work show that it is running and cannot be pressed twice.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.textContent = form.getAttribute("data-busy");
      });
    });
  });
})();
