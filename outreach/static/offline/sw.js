// The service worker (imported by /sw.js, which sets self.OUTREACH first). Built on Workbox,
// loaded from the app's own copy: the app shell is kept on install; pages come from the
// server whenever it answers (network first), the saved copy only without a connection; the
// entries logged offline are sent by Background Sync where the browser has it.
/* global workbox, OutreachStore */
(function () {
  "use strict";
  var settings = self.OUTREACH;
  workbox.setConfig({modulePathPrefix: settings.workbox, debug: false});
  var routing = workbox.routing;
  var strategies = workbox.strategies;

  workbox.core.setCacheNameDetails({prefix: "outreach"});
  workbox.core.clientsClaim();
  self.skipWaiting();

  // the shell: styles, scripts, icons, each address with its file's revision (?v=)
  workbox.precaching.precacheAndRoute(settings.shell);
  workbox.precaching.cleanupOutdatedCaches();

  // Only a real answer of the page asked for is kept: never a redirect to the sign-in page.
  var onlyThePage = {
    cacheWillUpdate: function (args) {
      var response = args.response;
      return response && response.status === 200 && !response.redirected ? response : null;
    }
  };

  // The pages an officer opens in the field, kept as last seen: the tasks, the offline page,
  // the step forms (whatever step the link preselects) and the cases' answer pages.
  var fieldPage = /^\/(tasks\/|offline\/|cases\/\d+\/(steps\/new|answer))$/;
  routing.registerRoute(function (options) {
    return options.request.mode === "navigate" && fieldPage.test(options.url.pathname);
  }, new strategies.NetworkFirst({
    cacheName: OutreachStore.PAGES, networkTimeoutSeconds: 8, plugins: [onlyThePage],
    matchOptions: {ignoreSearch: true}
  }));
  // every other page straight from the server
  routing.registerRoute(function (options) {
    return options.request.mode === "navigate";
  }, new strategies.NetworkOnly());
  // other static files (vendored libraries, page scripts) once fetched
  routing.registerRoute(function (options) {
    return options.url.origin === self.location.origin
      && /^\/(static|bootstrap\/static)\//.test(options.url.pathname);
  }, new strategies.StaleWhileRevalidate({cacheName: "outreach-static"}));

  // Without a connection, a page never kept opens the offline page (the day and the entries).
  routing.setCatchHandler(function (options) {
    if (options.request.mode === "navigate") {
      return caches.open(OutreachStore.PAGES).then(function (cache) {
        return cache.match(settings.offline, {ignoreSearch: true});
      }).then(function (page) { return page || Response.error(); });
    }
    return Response.error();
  });

  function credentials() {
    return fetch(settings.token, {credentials: "same-origin", redirect: "manual",
                                  headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("signed out"); }
        return response.json();
      });
  }

  function tellPages(outcome) {
    return self.clients.matchAll({type: "window"}).then(function (pages) {
      pages.forEach(function (page) { page.postMessage({type: "outreach-sent", outcome: outcome}); });
      return outcome;
    });
  }

  self.addEventListener("sync", function (event) {
    if (event.tag !== OutreachStore.SYNC_TAG) { return; }
    event.waitUntil(OutreachStore.flush(credentials).then(tellPages).then(function (outcome) {
      if (outcome.waiting) { throw new Error("entries still waiting"); }  // the browser retries
    }));
  });
})();
