// The phone's own storage (IndexedDB), shared by the pages and the service worker: the day
// saved in the morning, and the entries logged without a connection until the server has
// answered each of them. No DOM here: the service worker imports this file too.
(function (root) {
  "use strict";
  var NAME = "outreach-offline";
  var ENTRIES = "entries";   // one logged step each, keyed by its idempotency key
  var DAY = "day";           // the officer's day, one record per user

  var opening = null;
  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = root.indexedDB.open(NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains(ENTRIES)) {
            db.createObjectStore(ENTRIES, {keyPath: "key"});
          }
          if (!db.objectStoreNames.contains(DAY)) {
            db.createObjectStore(DAY, {keyPath: "user_id"});
          }
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result;
        var request = work(tx.objectStore(store));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function entries(userId) {
    return run(ENTRIES, "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).filter(function (e) { return userId == null || e.user_id === userId; })
        .sort(function (a, b) { return a.queued_at - b.queued_at; });
    });
  }

  function putEntry(entry) { return run(ENTRIES, "readwrite", function (s) { return s.put(entry); }); }
  function deleteEntry(key) { return run(ENTRIES, "readwrite", function (s) { return s.delete(key); }); }

  function field(entry, name) {
    var pair = entry.fields.filter(function (p) { return p[0] === name; })[0];
    return pair ? pair[1] : null;
  }

  // The officer's own entries on one case follow each other: once the first is saved, the
  // next one made on the same version of the case goes in on top of it (not a conflict).
  function rebase(entry, moved) {
    var step = moved[entry.action];
    if (step && field(entry, "version") === step.from) {
      entry.fields = entry.fields.map(function (p) {
        return p[0] === "version" ? ["version", step.to] : p;
      });
    }
  }

  function form(entry) {
    var data = new FormData();
    entry.fields.forEach(function (pair) {
      if (pair[0] === "csrf_token") { return; }   // a fresh token goes in the header
      if (pair[1] instanceof Blob) { data.append(pair[0], pair[1], pair[1].name || "foto.jpg"); }
      else { data.append(pair[0], pair[1]); }
    });
    return data;
  }

  // Send one entry; resolves to "sent", "conflict", "refused" or "stop" (no connection, signed
  // out, a token refused: the entry waits and nothing further is tried now).
  function send(entry, token) {
    return fetch(entry.action, {
      method: "POST", body: form(entry), credentials: "same-origin", redirect: "manual",
      headers: {"X-CSRFToken": token, "Accept": "application/json"}
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.type === "opaqueredirect" || type.indexOf("application/json") === -1) {
        return "stop";
      }
      return response.json().then(function (answer) {
        if (response.status === 200 || response.status === 201) {
          entry.saved_version = answer.version == null ? null : String(answer.version);
          return deleteEntry(entry.key).then(function () { return "sent"; });
        }
        if (response.status === 409 || response.status === 422) {
          entry.status = response.status === 409 ? "conflict" : "refused";
          entry.message = answer.message || "";
          entry.server = answer.case || null;
          entry.server_version = answer.version || null;
          return putEntry(entry).then(function () { return entry.status; });
        }
        return "stop";
      });
    }, function () { return "stop"; });
  }

  // Send every waiting entry of the signed-in user, one after another. `credentials()` gives
  // {csrf_token, user_id}; it is asked only when there is something to send.
  var flushing = null;
  function flush(credentials) {
    if (flushing) { return flushing; }
    var outcome = {sent: 0, conflict: 0, refused: 0, waiting: 0, forms: []};
    flushing = entries(null).then(function (all) {
      var waiting = all.filter(function (e) { return e.status === "waiting"; });
      if (!waiting.length) { return outcome; }
      return credentials().then(function (who) {
        var mine = waiting.filter(function (e) { return e.user_id === who.user_id; });
        outcome.waiting = mine.length;
        var moved = {};
        return mine.reduce(function (chain, entry) {
          return chain.then(function (stopped) {
            if (stopped) { return true; }
            rebase(entry, moved);
            var base = field(entry, "version");
            return send(entry, who.csrf_token).then(function (result) {
              if (result === "stop") { return true; }
              if (result === "sent" && entry.saved_version) {
                moved[entry.action] = {from: base, to: entry.saved_version};
                outcome.forms.push(entry.form_url);
              }
              outcome[result] += 1;
              outcome.waiting -= 1;
              return false;
            });
          });
        }, Promise.resolve(false));
      }).then(function () { return outcome; }, function () { return outcome; });
    }).then(function (result) { flushing = null; return result; },
      function (error) { flushing = null; throw error; });
    return flushing;
  }

  root.OutreachStore = {
    entries: entries,
    putEntry: putEntry,
    deleteEntry: deleteEntry,
    flush: flush,
    saveDay: function (day) { return run(DAY, "readwrite", function (s) { return s.put(day); }); },
    day: function (userId) { return run(DAY, "readonly", function (s) { return s.get(userId); }); },
    forgetDays: function () { return run(DAY, "readwrite", function (s) { return s.clear(); }); },
    SYNC_TAG: "outreach-entries",
    PAGES: "outreach-pages"
  };
})(self);
