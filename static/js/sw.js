/* Bedside's service worker: the app shell for the tablet, and an offline page instead of the browser's
   error page. Served at /sw.js by server/pwa.py, which fills in the shell's list and its version.

   Never caches patient data: the only page in the cache is /offline (no patient, no name), put there at
   install together with the files every page loads. Nothing is ever added to the cache after that;
   pages, /api, /ws, /admin and everything else go to the network as if there were no worker. */
"use strict";

var SHELL = __BEDSIDE_SHELL__;
var CACHE = "bedside-shell-__BEDSIDE_VERSION__";
var OFFLINE = "/offline";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload" }); })); })
      .then(function () { return self.skipWaiting(); })
  );
});

/* Drop every other cache: older shells, and anything an older worker may have kept. */
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) { return name !== CACHE; })
          .map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function isShell(url) {
  return url.origin === self.location.origin && SHELL.indexOf(url.pathname) >= 0 && !url.search;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  /* Pages: always the network (fresh, never stored); the offline page only when it cannot be reached. */
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE); }).then(function (page) {
        return page || Response.error();
      });
    }));
    return;
  }
  /* The shell's own files: from the cache, which a new worker version replaces whole. */
  var url = new URL(request.url);
  if (isShell(url)) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) { return cache.match(request, { ignoreVary: true }); })
        .then(function (hit) { return hit || fetch(request); })
    );
  }
});
