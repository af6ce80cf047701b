/* Bedside's own small script: socket status, reconnect on close codes htmx-ext-ws leaves alone, the session
   timer, the service worker. */
(function () {
  "use strict";
  var AUTO = [1006, 1011, 1012, 1013];     /* htmx-ext-ws reconnects these itself */
  var STOP = [1008, 4401, 4403];           /* signed out or not allowed: do not retry */
  var RECONNECT_CAP_MS = 1500;             /* live again within 2 s of the network or server coming back */
  var retries = 0;

  function status(text) {
    var el = document.getElementById("ws-status");
    if (el) { el.textContent = text; }
  }

  /* Short, capped back-off with full jitter, so a ward of tablets does not reconnect in step. */
  function reconnectDelay(retryCount) {
    return Math.random() * Math.min(RECONNECT_CAP_MS, 250 * Math.pow(2, retryCount));
  }
  if (window.htmx) { htmx.config.wsReconnectDelay = reconnectDelay; }
  window.addEventListener("offline", function () { status("Offline"); });
  window.addEventListener("online", function () {
    if (document.body.dataset.ws !== "open") { status("Reconnecting…"); } else { status("Live"); }
  });

  /* Resume by number: the first message on every (re)connect says, per unit this page follows, the last
     unit event it applied; the server sends only what was missed, or the whole screen. Read now, never
     queued (a queued message would carry stale numbers). */
  function appliedSeqs() {
    var seqs = {}, marks = document.querySelectorAll("#live-seqs [data-unit]");
    for (var i = 0; i < marks.length; i++) { seqs[marks[i].dataset.unit] = Number(marks[i].dataset.seq); }
    return seqs;
  }
  document.addEventListener("htmx:wsOpen", function (event) {
    event.detail.socketWrapper.send(JSON.stringify({ type: "resume", seqs: appliedSeqs() }));
    document.body.dataset.ws = "open";
    status(navigator.onLine === false ? "Offline" : "Live");
  });
  document.addEventListener("htmx:wsAfterMessage", function () { retries = 0; });

  /* The sign-in ended elsewhere (signed out, password changed) or this tablet was locked: take the
     patient's data off the screen by going home, which shows the sign-in or unlock page. Not while this
     page is already leaving (its own Sign out or Lock form), or that form's answer would be lost. */
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  function leaveScreen() {
    status("Signed out");
    setTimeout(function () { if (!leaving) { window.location.assign("/"); } }, 300);
  }
  document.addEventListener("htmx:wsClose", function (event) {
    var code = event.detail.event.code, elt = event.detail.elt, wrapper = event.detail.socketWrapper;
    document.body.dataset.ws = "closed";
    if (code === 4401) { leaveScreen(); return; }
    if (STOP.indexOf(code) >= 0) { status("Not allowed to see live changes here"); return; }
    status("Reconnecting…");
    if (AUTO.indexOf(code) >= 0) { return; }
    var delay = reconnectDelay(retries++);
    setTimeout(function () { if (document.body.contains(elt)) { wrapper.reconnect(); } }, delay);
  });

  /* A tap never fails silently. A request that got no answer, or an answer htmx does not swap (a busy
     server's 503, a 5xx, 400, 429), says so where messages go, with the server's own words when it sent
     some; the next request that succeeds takes the message away. (Session steps go through the outbox,
     which keeps them on the tablet instead: static/js/outbox.js.) */
  function tapFailed(text) {
    var box = document.getElementById("messages");
    if (!box) { return; }
    var alert = document.createElement("p");
    alert.className = "alert alert-error";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-tap-failed", "");
    alert.textContent = text;
    box.textContent = "";
    box.appendChild(alert);
  }
  document.addEventListener("htmx:sendError", function () {
    tapFailed("Bedside could not be reached from this tablet, so nothing was changed. Check the network and tap again.");
    status(navigator.onLine === false ? "Offline" : "Cannot reach Bedside");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var sent = new DOMParser().parseFromString(xhr.responseText || "", "text/html").querySelector(".alert");
    var reason = sent ? sent.textContent.trim() : "";
    if (!reason && (xhr.status === 503 || xhr.status === 429)) {
      reason = "Bedside is busy right now, so nothing was changed. Tap again in a moment.";
    }
    tapFailed(reason || "Something went wrong on our side (" + xhr.status + "), so nothing was changed. Tap again.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) { return; }
    var stale = document.querySelectorAll("[data-tap-failed]");
    for (var i = 0; i < stale.length; i++) { stale[i].remove(); }
    if (document.body.dataset.ws === "open" && navigator.onLine !== false) { status("Live"); }
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /* Active massage time, pauses excluded: the seconds the server counted when it drew the timer
     (data-active-seconds, by its clock), plus, while running, the time since this tablet received it
     (a monotonic count, so a tablet whose own clock is off still shows the right minutes). */
  function tick() {
    var timers = document.querySelectorAll("[data-active-seconds]");
    for (var i = 0; i < timers.length; i++) {
      var seconds = Number(timers[i].dataset.activeSeconds) || 0;
      if (timers[i].dataset.running) {
        if (timers[i].bedsideSeenAt === undefined) { timers[i].bedsideSeenAt = performance.now(); }
        seconds += Math.max(0, Math.floor((performance.now() - timers[i].bedsideSeenAt) / 1000));
      }
      timers[i].textContent = pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
    }
  }
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
  document.addEventListener("DOMContentLoaded", tick);

  /* Body map: tapping a region toggles its box; ticking a box fills the region. */
  function paintRegions() {
    var boxes = document.querySelectorAll("[data-region-box]");
    for (var i = 0; i < boxes.length; i++) {
      var shapes = document.querySelectorAll('[data-region="' + boxes[i].dataset.regionBox + '"]');
      for (var j = 0; j < shapes.length; j++) { shapes[j].classList.toggle("treated", boxes[i].checked); }
    }
  }
  document.addEventListener("click", function (event) {
    var shape = event.target.closest && event.target.closest("[data-region]");
    if (!shape) { return; }
    var box = document.querySelector('[data-region-box="' + shape.dataset.region + '"]');
    if (box) { box.checked = !box.checked; paintRegions(); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.dataset && event.target.dataset.regionBox) { paintRegions(); }
  });

  /* The app on the tablet: the service worker (static/js/sw.js) keeps the shell and shows the offline
     page when a page cannot be reached. That page goes back to where the person was once the server
     answers again: at once on "online", and by asking every few seconds (the network can come back
     without the event, and the server can be the one that was away). */
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () { /* no worker: pages still work */ });
    });
  }
  var OFFLINE_RETRY_MS = 5000, retryTimer = null;
  function backWhenReachable() {
    clearTimeout(retryTimer);
    fetch("/healthz", { cache: "no-store" })
      .then(function (answer) {
        if (!answer.ok) { throw answer; }
        if (window.location.pathname === "/offline") { window.location.assign("/"); } else { window.location.reload(); }
      })
      .catch(function () { retryTimer = setTimeout(backWhenReachable, OFFLINE_RETRY_MS); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector("[data-offline-page]")) { return; }
    window.addEventListener("online", backWhenReachable);
    retryTimer = setTimeout(backWhenReachable, OFFLINE_RETRY_MS);
  });
})();
