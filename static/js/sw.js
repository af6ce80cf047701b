/* Bedside's service worker: the app shell for the tablet, the session being charted, and an offline page
   instead of the browser's error page. Served at /sw.js by server/pwa.py, which fills in the shell's list
   and its version.

   The shell cache holds /offline (no patient, no name) and the files every page loads, put there at
   install; nothing is added to it after that. The one page with patient data kept is the session page the
   therapist is charting (/sessions/<id>), so that it opens again after a reload with the network gone and
   the outbox (outbox.js) can redraw the steps taken since: a cache of its own, one entry, replaced when
   another session page is opened, deleted when the sign-in or unlock page loads, at sign-out and at lock.
   Every other page, /api, /ws and /admin go to the network as if there were no worker. */
"use strict";

var SHELL = __BEDSIDE_SHELL__;
var CACHE = "bedside-shell-__BEDSIDE_VERSION__";
var SESSION_CACHE = "bedside-session";
var OFFLINE = "/offline";
var SESSION_PAGE = /^\/sessions\/\d+$/;
var CLEARS_DEVICE = ["/signin", "/unlock", "/signout", "/lock"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SHELL.map(shellRequest)); })
      .then(function () { return self.skipWaiting(); })
  );
});

/* Drop every other cache: older shells, and anything an older worker may have kept. */
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) { return name !== CACHE && name !== SESSION_CACHE; })
          .map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

/* A file's address carries its digest (/static/v/<digest>/...), so the copy the page has just fetched is
   the right one and is taken from the browser's cache; the offline page and the manifest are fetched again. */
function shellRequest(url) {
  return new Request(url, { cache: url.indexOf("/static/v/") === 0 ? "default" : "reload" });
}

function isShell(url) {
  return url.origin === self.location.origin && SHELL.indexOf(url.pathname) >= 0 && !url.search;
}

function offlinePage() {
  return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE); }).then(function (page) {
    return page || Response.error();
  });
}

/* The session page: from the network, kept as the only entry of its cache; from that cache when the network
   is gone (only the same session: another one was never kept). */
function sessionPage(request) {
  return fetch(request).then(function (answer) {
    if (answer.ok && !answer.redirected) {
      var copy = answer.clone();
      caches.delete(SESSION_CACHE)
        .then(function () { return caches.open(SESSION_CACHE); })
        .then(function (cache) { return cache.put(request.url, copy); });
    }
    return answer;
  }, function () {
    return caches.open(SESSION_CACHE)
      .then(function (cache) { return cache.match(request.url, { ignoreVary: true }); })
      .then(function (kept) { return kept || offlinePage(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin === self.location.origin && CLEARS_DEVICE.indexOf(url.pathname) >= 0) {
    event.waitUntil(caches.delete(SESSION_CACHE));  /* and let the request go on to the network */
  }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate" && url.origin === self.location.origin && SESSION_PAGE.test(url.pathname)) {
    event.respondWith(sessionPage(request));
    return;
  }
  /* Other pages: always the network (fresh, never stored); the offline page only when it cannot be reached. */
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  /* The shell's own files: from the cache, which a new worker version replaces whole. */
  if (isShell(url)) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) { return cache.match(request, { ignoreVary: true }); })
        .then(function (hit) { return hit || fetch(request); })
    );
  }
});

/* Background Sync, where the browser has it: wake the open pages, whose outbox sends what is queued (with
   the page's own sign-in and CSRF token). The pages also send on "online", on load and on a timer. */
self.addEventListener("sync", function (event) {
  if (event.tag !== "bedside-outbox") { return; }
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage({ type: "bedside-outbox-flush" }); });
  }));
});

/* A page asks for the session page to be forgotten (Lock, Sign out). */
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "bedside-clear-session") {
    event.waitUntil(caches.delete(SESSION_CACHE));
  }
});
