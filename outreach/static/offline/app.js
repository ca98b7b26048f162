// The phone in the field: the service worker installed, the day saved when the tasks open
// online, a step logged without a connection kept on the phone and sent when it returns, the
// count of entries not sent in the navigation, and the offline page drawn from what the
// phone keeps. Every page works without this script. No inline scripts (CSP).
/* global OutreachStore */
(function () {
  "use strict";
  var body = document.body;
  var store = window.OutreachStore;
  if (!store || !window.indexedDB) { return; }

  // Signed out: the day (company data) leaves the phone; entries not sent stay, they are sent
  // when their officer signs in again.
  if (body.hasAttribute("data-signed-out")) {
    store.forgetDays().catch(function () { /* nothing kept */ });
    if (window.caches) { caches.delete(store.PAGES); }
    return;
  }
  var userId = parseInt(body.getAttribute("data-offline-user") || "", 10);
  if (!userId) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]');

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () { /* no worker */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outreach-sent") { refresh(); }
    });
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] == null ? "" : String(values[name]);
    });
  }

  // a date typed in the form (2026-03-02) as the page's language writes it (2 Maret 2026)
  function day(iso) {
    var when = new Date(iso + "T00:00:00");
    if (isNaN(when.getTime()) || !window.Intl) { return iso; }
    return new Intl.DateTimeFormat(document.documentElement.lang || "id",
                                   {day: "numeric", month: "long", year: "numeric"}).format(when);
  }

  function clock(ms) {
    var when = new Date(ms);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(when.getHours()) + "." + pad(when.getMinutes());
  }

  // --- the badge: entries made on this phone and not saved on the server yet -------------
  function badge() {
    var item = document.querySelector("[data-offline-badge]");
    if (!item) { return Promise.resolve(); }
    return store.entries(userId).then(function (mine) {
      item.hidden = mine.length === 0;
      var count = item.querySelector("[data-count]");
      count.textContent = String(mine.length);
      count.setAttribute("aria-label", fill(item.getAttribute("data-label"), {count: mine.length}));
    });
  }

  function credentials() {
    if (csrf && navigator.onLine) {
      return Promise.resolve({csrf_token: csrf.getAttribute("content"), user_id: userId});
    }
    return Promise.reject(new Error("offline"));
  }

  var page = document.querySelector("[data-offline-page]");

  function refresh() {
    return badge().then(function () { if (page) { return drawPage(); } });
  }

  function flush() {
    if (!navigator.onLine) { return refresh(); }
    return store.flush(credentials).then(function (outcome) {
      if (page && outcome.sent) { notice(fill(labels().sent, {count: outcome.sent}), "success"); }
      return keep(outcome.forms).then(refresh);
    });
  }

  // --- the tasks page, online: the day saved for reading offline ---------------------------
  var saving = document.querySelector("[data-save-day]");
  var FRESH = 10 * 60 * 1000;   // the tasks opened again soon after: the day saved stays
  function showSaved(record) {
    // after the link, on its line: the tasks below do not move (no layout shift)
    saving.textContent = "· " + fill(saving.getAttribute("data-saved"), {time: clock(record.saved_at)});
  }
  if (saving && navigator.onLine) {
    store.day(userId).then(function (kept) {
      if (kept && Date.now() - kept.saved_at < FRESH) { showSaved(kept); return null; }
      return saveDay();
    }).catch(function () { /* the day stays as last saved */ });
  }

  function saveDay() {
    return fetch(saving.getAttribute("data-save-day"), {credentials: "same-origin",
                                                        headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("not saved"); }
        return response.json();
      })
      .then(function (day) {
        var record = {user_id: userId, saved_at: Date.now(), data: day};
        return store.saveDay(record).then(function () { return keepPages(day); })
          .then(function () { showSaved(record); });
      });
  }

  // the offline page, the tasks and each case's step form, as the server shows them now
  function keepPages(day) {
    var urls = [saving.getAttribute("data-offline-url"), window.location.pathname];
    day.cases.forEach(function (c) { urls.push(c.log_url, c.answer_url); });
    return keep(urls);
  }

  function keep(urls) {
    if (!window.caches || !urls.length) { return Promise.resolve(); }
    return caches.open(store.PAGES).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return fetch(url, {credentials: "same-origin"}).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(url, response); }
        }).catch(function () { /* kept as before */ });
      }));
    });
  }

  // --- the step form, offline: the entry kept on the phone ---------------------------------
  document.querySelectorAll("form[data-offline-queue]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented || navigator.onLine) { return; }  // online: the server saves it
      event.preventDefault();
      var limit = parseInt(form.getAttribute("data-photo-max") || "0", 10);
      var error = form.querySelector("[data-photo-error]");
      var data = new FormData(form);
      var files = [];
      data.forEach(function (value) { if (value instanceof Blob && value.size) { files.push(value); } });
      var large = files.filter(function (f) { return limit && f.size > limit; });
      if (large.length) {   // refused here, before it is kept: the server would refuse it too
        error.textContent = large[0].name + ": " + form.getAttribute("data-photo-too-large");
        return;
      }
      var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
        : String(Date.now()) + "-" + Math.random().toString(16).slice(2);
      data.set("client_key", key);
      var fields = [];
      data.forEach(function (value, name) {
        if (value instanceof Blob && !value.size) { return; }   // a file field left empty
        fields.push([name, value]);
      });
      var chosen = form.querySelector("input[name=kind]:checked, input[name=channel]:checked");
      var outcome = form.querySelector("select[name=outcome]");
      var kind = form.getAttribute("data-offline-kind") || "";
      if (chosen) {
        var named = chosen.labels[0].firstChild.textContent.trim();
        kind = kind ? kind + " (" + named + ")" : named;
      }
      var entry = {
        key: key, user_id: userId, status: "waiting", queued_at: Date.now(),
        action: form.getAttribute("data-offline-queue"), fields: fields,
        form_url: window.location.pathname,
        company: form.getAttribute("data-company"),
        company_url: form.getAttribute("data-company-url"),
        summary: {
          kind: kind,
          on: data.get("occurred_on") || data.get("received_on") || "",
          outcome: outcome && outcome.value ? outcome.options[outcome.selectedIndex].text : "",
          met: data.get("met_name") || data.get("sender") || "",
          notes: data.get("notes") || data.get("content") || "",
          photos: files.map(function (f) { return f.name; })
        }
      };
      store.putEntry(entry).then(function () {
        if (navigator.serviceWorker && window.SyncManager) {
          return navigator.serviceWorker.ready.then(function (registration) {
            return registration.sync.register(store.SYNC_TAG);
          }).catch(function () { /* sent on the next open instead */ });
        }
      }).then(function () {
        window.location.href = form.getAttribute("data-offline-then") + "?queued=1";
      });
    });
  });

  // --- the offline page ----------------------------------------------------------------------
  function labels() { return JSON.parse(page.getAttribute("data-labels")); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function notice(text, kind) {
    var box = page.querySelector("[data-notice]");
    box.className = "alert alert-" + kind;
    box.textContent = text;
    box.hidden = false;
  }

  function entryCard(entry, L) {
    var s = entry.summary;
    var yours = el("div", {"class": "col-sm-6"}, [
      el("h4", {"class": "h6", text: L.yours}),
      el("p", {"class": "mb-1", text: s.kind + " · " + day(s.on) + (s.outcome ? " · " + s.outcome : "")}),
      s.met ? el("p", {"class": "mb-1", text: fill(L.met, {name: s.met})}) : null,
      s.notes ? el("p", {"class": "mb-1 small", text: s.notes}) : null,
      s.photos.length ? el("p", {"class": "mb-1 small", text: fill(L.photos, {names: s.photos.join(", ")})}) : null
    ]);
    var card = el("li", {"class": "card mb-2", "data-entry": entry.key}, [
      el("div", {"class": "card-body"}, [
        el("h3", {"class": "h6 card-title"}, [el("a", {href: entry.company_url, text: entry.company})])
      ])
    ]);
    var inner = card.firstChild;
    var buttons = el("div", {"class": "d-flex flex-wrap gap-2 mt-2"});
    if (entry.status === "conflict") {
      inner.appendChild(el("p", {"class": "text-danger mb-2", role: "alert", text: L.conflict + " " + (entry.message || "")}));
      var now = entry.server || {};
      inner.appendChild(el("div", {"class": "row g-3"}, [yours, el("div", {"class": "col-sm-6"}, [
        el("h4", {"class": "h6", text: L.now}),
        el("p", {"class": "mb-1", text: L.stage + ": " + (now.stage || "–") + (now.next_rung ? " · " + L.next + ": " + now.next_rung : "")}),
        el("ul", {"class": "small mb-0"}, (now.steps || []).map(function (st) {
          return el("li", {text: st.on + " · " + st.kind + (st.outcome ? " · " + st.outcome : "") + (st.met ? " · " + fill(L.met, {name: st.met}) : "")});
        }))
      ])]));
      buttons.appendChild(el("button", {type: "button", "class": "btn btn-success btn-sm", "data-send": entry.key, text: L.send_anyway}));
    } else if (entry.status === "refused") {
      inner.appendChild(el("p", {"class": "text-danger mb-2", role: "alert", text: L.refused + " " + (entry.message || "")}));
      inner.appendChild(el("div", {"class": "row"}, [yours]));
      buttons.appendChild(el("button", {type: "button", "class": "btn btn-outline-success btn-sm", "data-send": entry.key, text: L.send_again}));
    } else {
      inner.appendChild(el("p", {"class": "text-muted mb-2", text: L.waiting}));
      inner.appendChild(el("div", {"class": "row"}, [yours]));
    }
    if (entry.status !== "waiting") {
      buttons.appendChild(el("button", {type: "button", "class": "btn btn-outline-danger btn-sm", "data-discard": entry.key, text: L.discard}));
      inner.appendChild(buttons);
    }
    return card;
  }

  function caseCard(c, L) {
    var co = c.company;
    var lines = [
      co.director ? el("p", {"class": "mb-1 small", text: L.director + ": " + co.director}) : null,
      el("p", {"class": "mb-1 small", text: L.address + ": " + [co.address, co.kelurahan, co.kecamatan, co.city].filter(Boolean).join(", ")}),
      co.phone ? el("p", {"class": "mb-1 small"}, [document.createTextNode(L.phone + ": "), el("a", {href: "tel:" + co.phone, text: co.phone})]) : null,
      el("p", {"class": "mb-1 small", text: fill(L.workers, {registered: co.workers_registered, estimated: co.workers_estimated})}),
      el("p", {"class": "mb-1 small", text: c.categories.join(", ") + " · " + L.stage + ": " + (c.stage || "–") +
        (c.next_rung ? " · " + L.next + ": " + c.next_rung + (c.next_due ? " (" + fill(L.next_due, {day: c.next_due}) + ")" : "") : "")}),
      el("p", {"class": "mb-1 small", text: L.allowed + ": " + (c.allowed.length ? c.allowed.map(function (r) { return r.name; }).join(", ") : L.none_allowed)}),
      el("h4", {"class": "h6 mt-2 mb-1", text: L.last_steps}),
      c.steps.length ? el("ul", {"class": "small mb-2"}, c.steps.map(function (st) {
        return el("li", {text: st.on + " · " + st.kind + (st.outcome ? " · " + st.outcome : "") + (st.met ? " · " + fill(L.met, {name: st.met}) : "") + (st.notes ? " · " + st.notes : "")});
      })) : el("p", {"class": "small text-muted", text: L.no_steps}),
      el("div", {"class": "d-flex flex-wrap gap-2"}, [
        el("a", {"class": "btn btn-success btn-sm", href: c.log_url, text: L.log}),
        el("a", {"class": "btn btn-outline-success btn-sm", href: c.answer_url, text: L.reply})
      ])
    ];
    return el("li", {"class": "card mb-2", "data-case": String(c.id)}, [
      el("div", {"class": "card-body"}, [el("h3", {"class": "h6 card-title", text: co.name})].concat(lines))
    ]);
  }

  function drawPage() {
    var L = labels();
    return Promise.all([store.entries(userId), store.day(userId)]).then(function (found) {
      var pending = found[0];
      var kept = found[1];
      var list = page.querySelector("[data-pending]");
      list.textContent = "";
      pending.forEach(function (entry) { list.appendChild(entryCard(entry, L)); });
      page.querySelector("[data-none-pending]").hidden = pending.length > 0;

      var saved = page.querySelector("[data-saved]");
      var tasks = page.querySelector("[data-tasks]");
      var cases = page.querySelector("[data-cases]");
      tasks.textContent = "";
      cases.textContent = "";
      if (!kept) { saved.textContent = L.never; return; }
      saved.textContent = fill(L.saved, {time: clock(kept.saved_at)}) + " · " + kept.data.day_label;
      kept.data.tasks.forEach(function (t) {
        tasks.appendChild(el("li", {"class": "list-group-item"}, [
          el("strong", {text: t.company}), document.createTextNode(" · " + t.rung_name + " · "),
          el("span", {"class": t.overdue ? "text-danger" : "", text: t.overdue ? L.overdue : fill(L.due, {day: t.due_label})}),
          t.message ? el("div", {"class": "small text-muted", text: t.message}) : null
        ]));
      });
      kept.data.cases.forEach(function (c) { cases.appendChild(caseCard(c, L)); });
    });
  }

  if (page) {
    page.addEventListener("click", function (event) {
      var send = event.target.closest("[data-send]");
      var discard = event.target.closest("[data-discard]");
      if (!send && !discard) { return; }
      store.entries(userId).then(function (mine) {
        var entry = mine.filter(function (e) { return e.key === (send || discard).getAttribute(send ? "data-send" : "data-discard"); })[0];
        if (!entry) { return null; }
        if (discard) {
          if (!window.confirm(labels().confirm_discard)) { return null; }
          return store.deleteEntry(entry.key).then(refresh);
        }
        if (entry.status === "conflict" && entry.server_version) {
          // the officer has seen the case as it is now: the entry goes in on top of it
          entry.fields = entry.fields.map(function (pair) {
            return pair[0] === "version" ? ["version", String(entry.server_version)] : pair;
          });
        }
        entry.status = "waiting";
        return store.putEntry(entry).then(flush);
      });
    });
    if (/[?&]queued=1/.test(window.location.search)) { notice(labels().queued, "info"); }
  }

  window.addEventListener("online", flush);
  flush();
})();
