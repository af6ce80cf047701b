/* Automatic logoff on a shared tablet (HIPAA): after data-lock-minutes on <body> without a touch, a key or
   the mouse, the page takes the patient's data out of the DOM at once (not only covers it), closes its
   socket, tells the server to lock this sign-in and shows the lock screen. While the screen is touched
   without requests (reading, scrolling) it tells the server "still in use" at most once a minute, and
   never later than a minute after a touch, so the server's own idle clock (which refuses a quiet tablet's
   requests) never runs ahead of this one. The idle time is checked every second and again when the tablet
   wakes (timers stop while it sleeps; the clock does not). A touch in another tab of the app counts. */
(function () {
  "use strict";
  var minutes = Number(document.body && document.body.dataset.lockMinutes);
  if (!minutes) { return; }
  var IDLE_MS = minutes * 60 * 1000, NOTE_EVERY_MS = 60 * 1000;
  var lastTouch = Date.now(), lastNote = Date.now(), noteTimer = null, locked = false;

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["x-csrftoken"]; } catch (e) { return ""; }
  }
  function post(url, form) {
    return fetch(url, {
      method: "POST", headers: { "x-csrftoken": csrfToken() }, credentials: "same-origin",
      body: new URLSearchParams(form || {})
    });
  }

  function stillInUse() {
    noteTimer = null;
    if (locked) { return; }
    lastNote = Date.now();
    post("/still-in-use").then(function (answer) {
      /* Locked or signed out elsewhere (or by the server's idle clock): the home page says which. */
      if (!locked && (answer.redirected || answer.status === 401 || answer.status === 403)) { window.location.assign("/"); }
    }).catch(function () { /* offline: the next touch tries again */ });
  }

  /* Another tab of this app on the same tablet being used counts too: it shares the sign-in. */
  var SHARED_KEY = "bedside.lastTouch";
  window.addEventListener("storage", function (event) {
    if (event.key === SHARED_KEY && !locked) { lastTouch = Math.max(lastTouch, Number(event.newValue) || 0); }
  });

  function touched() {
    if (locked) { return; }
    lastTouch = Date.now();
    try { localStorage.setItem(SHARED_KEY, String(lastTouch)); } catch (e) { /* private mode: this tab only */ }
    if (noteTimer !== null) { return; }
    var wait = Math.max(0, lastNote + NOTE_EVERY_MS - lastTouch);
    noteTimer = setTimeout(stillInUse, wait);
  }

  function lockNow() {
    if (locked) { return; }
    locked = true;
    clearTimeout(noteTimer);
    var main = document.getElementById("main");
    /* Close the page's socket first: htmx-ext-ws closes it when its element is cleaned up. */
    var sockets = document.querySelectorAll("[ws-connect]");
    for (var i = 0; i < sockets.length; i++) {
      if (window.htmx) { htmx.trigger(sockets[i], "htmx:beforeCleanupElement"); }
    }
    document.body.dataset.ws = "closed";  /* its close event fires on the removed element, unseen */
    var status = document.getElementById("ws-status");
    if (status) { status.textContent = "Locked"; }
    var placeholder = document.createElement("main");
    placeholder.id = "main";
    placeholder.className = "locked-placeholder";
    placeholder.setAttribute("data-locked", "");
    var heading = document.createElement("h1");
    heading.textContent = "Locked";
    placeholder.appendChild(heading);
    if (main) { main.replaceWith(placeholder); } else { document.body.appendChild(placeholder); }
    ["interruption-overlay", "messages", "live-seqs"].forEach(function (id) {
      var elt = document.getElementById(id);
      if (elt) { elt.replaceChildren(); }
    });
    document.title = "Locked · Bedside";
    var done = function () { window.location.replace("/unlock"); };
    post("/lock", { idle: "1" }).then(done, done);
  }

  function check() {
    if (!locked && Date.now() - lastTouch >= IDLE_MS) { lockNow(); }
  }

  ["pointerdown", "keydown", "wheel", "touchstart", "scroll"].forEach(function (name) {
    document.addEventListener(name, touched, { capture: true, passive: true });
  });
  document.addEventListener("visibilitychange", check);
  window.addEventListener("pageshow", check);
  setInterval(check, 1000);
})();
