/* The tablet's outbox: charting that loses nothing when the network drops.

   With JavaScript on, a tap on a session step (a score, pause, resume, finish, stop, sign: the forms marked
   data-outbox) is first written to IndexedDB (through the `idb` package), with its own id and the tablet's
   time; the next step shows at once, drawn on the tablet; then the outbox sends what it holds to the
   server, oldest first, one at a time, each exactly as tapped (the server applies an id once). An item
   leaves the outbox only on the server's answer: accepted (2xx), or refused with a reason (4xx), which is
   kept and shown as "Not sent" until the therapist has read it. No answer (network down, server
   restarting, 5xx, signed out) keeps it, and the outbox tries again: on "online", on every page load, on a
   timer with back-off, and when Background Sync wakes the service worker.

   Without JavaScript the same forms post and redirect as before. */
(function () {
  "use strict";
  var DB_NAME = "bedside", STORE = "outbox", SESSION_CACHE = "bedside-session";
  var RETRY_MIN_MS = 2000, RETRY_MAX_MS = 10000;
  var REFUSED = [400, 403, 404, 409, 422];  /* the server's answer, with a reason: shown, not retried */
  var STEP_NAMES = { scores: "score", pause: "pause", resume: "resume", finish: "finish massage", stop: "stop", sign: "chart and sign" };
  var dbPromise = null, flushing = false, askedAgain = false, retryTimer = null, retries = 0;

  function openOutbox() {
    if (!dbPromise) {
      dbPromise = window.idb.openDB(DB_NAME, 1, {
        upgrade: function (db) { db.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true }); }
      });
    }
    return dbPromise;
  }
  function userId() { return document.body.dataset.userId || ""; }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  /* Sent with the page's current token at send time, never the one of the page the tap was made on. */
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || ""; }
    catch (e) { return ""; }
  }
  function items() {
    return openOutbox().then(function (db) { return db.getAll(STORE); })
      .then(function (all) { return all.filter(function (item) { return item.userId === userId(); }); });
  }
  function waiting(all) { return all.filter(function (item) { return item.state === "queued"; }); }
  function problems(all) { return all.filter(function (item) { return item.state === "refused"; }); }

  /* ---- What the therapist sees: the count waiting, and what the server refused. ---- */
  function waitingText(n) { return "Saved on this tablet, waiting to send (" + n + ")"; }
  function showCounts() {
    if (!userId()) { return Promise.resolve(); }
    return items().then(function (all) {
      var n = waiting(all).length, status = document.getElementById("outbox-status");
      if (status) {
        status.dataset.count = String(n);
        status.textContent = n ? waitingText(n) : "";
        status.hidden = n === 0;
      }
      var notes = document.querySelectorAll("[data-outbox-note]");
      for (var i = 0; i < notes.length; i++) { notes[i].textContent = waitingText(n); notes[i].hidden = n === 0; }
      showProblems(problems(all));
    });
  }
  function describe(item) {
    var step = item.url.split("/").pop(), name = STEP_NAMES[step] || step;
    if (step === "scores") {
      var f = fieldMap(item);
      name = (f.phase === "pre" ? "pain before" : "pain after") + (f.measure && f.measure !== "pain" ? " (" + f.measure + ")" : "");
      name += f.not_obtainable ? ": not obtainable" : (f.value ? ": " + f.value : "");
    }
    return name.charAt(0).toUpperCase() + name.slice(1) + ", tapped " + new Date(item.recordedAt).toLocaleTimeString();
  }
  function showProblems(list) {
    var box = document.getElementById("outbox-problems");
    if (!box) { return; }
    box.textContent = "";
    box.hidden = list.length === 0;
    if (!list.length) { return; }
    var heading = document.createElement("h2");
    heading.textContent = "Not sent: needs your attention (" + list.length + ")";
    box.appendChild(heading);
    list.forEach(function (item) {
      var row = document.createElement("div");
      row.className = "alert alert-error outbox-problem";
      row.setAttribute("role", "alert");
      var what = document.createElement("p");
      what.textContent = describe(item);
      var why = document.createElement("p");
      why.className = "outbox-reason";
      why.textContent = "Not sent: " + item.reason;
      var open = document.createElement("a");
      open.className = "btn btn-quiet";
      open.href = "/sessions/" + item.sessionId;
      open.textContent = "Open the session";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn";
      discard.textContent = "Understood, discard";
      discard.addEventListener("click", function () {
        openOutbox().then(function (db) { return db.delete(STORE, item.seq); }).then(showCounts);
      });
      row.appendChild(what); row.appendChild(why); row.appendChild(open); row.appendChild(discard);
      box.appendChild(row);
    });
  }

  /* ---- Taking a tap: into the outbox, the next step on screen, then send. ---- */
  function fieldMap(item) {
    var map = {};
    item.fields.forEach(function (pair) { if (!(pair[0] in map)) { map[pair[0]] = pair[1]; } });
    return map;
  }
  function take(form, data) {
    var fields = [], panel = document.getElementById("session-panel");
    data.forEach(function (value, key) { if (key !== "_csrf_token" && typeof value === "string") { fields.push([key, value]); } });
    var id = newId();
    var hasClientId = fields.some(function (pair) { return pair[0] === "client_id"; });
    fields = fields.map(function (pair) { return pair[0] === "client_id" ? ["client_id", id] : pair; });
    if (!hasClientId && /\/scores$/.test(form.getAttribute("action"))) { fields.push(["client_id", id]); }
    var item = {
      id: id,
      url: form.getAttribute("action"),
      fields: fields,
      recordedAt: new Date().toISOString(),
      userId: userId(),
      sessionId: panel ? panel.dataset.sessionId : (form.getAttribute("action").match(/\/sessions\/(\d+)/) || [])[1],
      patientId: panel ? panel.dataset.patientId : "",
      state: "queued",
      reason: ""
    };
    return openOutbox()
      .then(function (db) { return db.add(STORE, item); })
      .then(function () { return redraw(); })
      .then(function () {
        showCounts();
        askForBackgroundSync();
        flush();
      });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-outbox") || form.bedsidePlain || !userId() || !window.idb) { return; }
    event.preventDefault();
    event.stopPropagation();  /* before htmx: the outbox sends it */
    var data = new FormData(form, event.submitter || undefined);  /* with the tapped button's value */
    var buttons = form.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
    take(form, data).catch(function () {
      /* IndexedDB refused (private mode, full disk): send it the plain way, which says if it fails. */
      for (var j = 0; j < buttons.length; j++) { buttons[j].disabled = false; }
      form.bedsidePlain = true;
      if (window.htmx) { htmx.trigger(form, "submit"); } else { form.submit(); }
    });
  }, true);

  /* ---- The session panel drawn on the tablet from the steps waiting to be sent. ---- */
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function minutes(seconds) { return pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60); }
  function nextStep(item, state) {
    var step = item.url.split("/").pop(), f = fieldMap(item), t = Date.parse(item.recordedAt);
    function stopClock() {
      if (state.runningSince !== null) { state.active += Math.max(0, Math.round((t - state.runningSince) / 1000)); }
      state.runningSince = null;
    }
    if (step === "scores" && (f.measure || "pain") !== "pain") { state.anxietyDone = true; return state.step; }
    if (step === "scores" && f.phase === "pre") {
      state.pre = f.value || ""; state.runningSince = t; state.active = 0; return "running";
    }
    if (step === "scores" && f.phase === "post") {
      stopClock(); state.post = f.not_obtainable ? "not obtainable" : (f.value || ""); return "record";
    }
    if (step === "pause") { stopClock(); return "paused"; }
    if (step === "resume") { state.runningSince = t; return "running"; }
    if (step === "finish") { stopClock(); return "post"; }
    if (step === "sign") { return "signed"; }
    if (step === "stop") { stopClock(); return "stopped"; }
    return state.step;
  }
  function redraw() {
    var panel = document.getElementById("session-panel");
    if (!panel || !userId()) { return Promise.resolve(); }
    return items().then(function (all) {
      var mine = waiting(all).filter(function (item) { return String(item.sessionId) === panel.dataset.sessionId; });
      if (!mine.length) { return; }
      if (!panel.bedsideServer) {
        var timer = panel.querySelector("[data-active-seconds]");
        panel.bedsideServer = {
          step: panel.dataset.step, pre: panel.dataset.pre || "", post: "",
          active: timer ? Number(timer.dataset.activeSeconds) || 0 : 0,
          runningSince: timer && timer.dataset.running ? Date.now() : null
        };
      }
      var base = panel.bedsideServer, state = {
        step: base.step, pre: base.pre, post: base.post, active: base.active, runningSince: base.runningSince
      };
      mine.forEach(function (item) { state.step = nextStep(item, state); });
      draw(panel, state);
    });
  }
  function draw(panel, state) {
    var template = document.querySelector('template[data-offline-step="' + state.step + '"]');
    if (!template) {
      showNote(panel);
      return;
    }
    panel.bedsideLocal = state;
    if (panel.dataset.localStep !== state.step) {
      panel.textContent = "";
      panel.appendChild(template.content.cloneNode(true));
      if (state.anxietyDone) {
        var anxiety = panel.querySelector(".anxiety-form");
        if (anxiety) { anxiety.remove(); }
      }
      panel.dataset.localStep = state.step;
      panel.dataset.step = state.step === "paused" ? "running" : state.step;
    }
    var fills = panel.querySelectorAll("[data-fill]");
    for (var i = 0; i < fills.length; i++) {
      var what = fills[i].dataset.fill;
      fills[i].textContent = what === "minutes" ? minutes(activeNow(state)) : (state[what] || "–");
    }
    showNote(panel);
    tickLocal();
  }
  /* At the panel's end: when the step is sent the note goes, and nothing above it (the buttons the therapist
     is about to tap) may move under the finger. */
  function showNote(panel) {
    if (panel.querySelector("[data-outbox-note]")) { return; }
    var note = document.createElement("p");
    note.className = "alert alert-info outbox-note";
    note.setAttribute("data-outbox-note", "");
    note.setAttribute("role", "status");
    panel.appendChild(note);
  }
  function activeNow(state) {
    return state.active + (state.runningSince !== null ? Math.max(0, Math.floor((Date.now() - state.runningSince) / 1000)) : 0);
  }
  /* The timer drawn on the tablet: the tablet's own times of the taps (finishing offline stops it here). */
  function tickLocal() {
    var panel = document.getElementById("session-panel"), timer = panel && panel.querySelector("[data-offline-timer]");
    if (timer && panel.bedsideLocal) { timer.textContent = minutes(activeNow(panel.bedsideLocal)); }
  }
  setInterval(tickLocal, 1000);

  /* ---- Sending, oldest first, one at a time. ---- */
  function reasonOf(answer) {
    return answer.text().then(function (text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var alert = doc.querySelector(".alert");
      var reason = (alert ? alert.textContent : doc.body.textContent || "").trim();
      return reason || "The server refused it (" + answer.status + ").";
    }, function () { return "The server refused it (" + answer.status + ")."; });
  }
  function send(item) {
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true",
        "x-csrftoken": csrfToken(),
        "Bedside-Client-Id": item.id,
        "Bedside-Recorded-At": item.recordedAt,
        "Bedside-Sent-At": new Date().toISOString()
      },
      body: new URLSearchParams(item.fields).toString()
    });
  }
  function retryLater() {
    clearTimeout(retryTimer);
    var delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, retries++));
    retryTimer = setTimeout(flush, delay);
  }
  function flush() {
    if (!userId() || !window.idb) { return Promise.resolve(); }
    /* A tap while a round is ending (after its last look at the outbox) is sent by another round at once. */
    if (flushing) { askedAgain = true; return Promise.resolve(); }
    flushing = true;
    askedAgain = false;
    clearTimeout(retryTimer);
    var answers = {}, refusedHere = false;
    function next() {
      return items().then(function (all) {
        var queue = waiting(all);
        if (!queue.length) { retries = 0; return; }
        var item = queue[0];
        return send(item).then(function (answer) {
          if (answer.ok) {
            return answer.text().then(function (html) {
              answers[item.sessionId] = html;
              return openOutbox().then(function (db) { return db.delete(STORE, item.seq); }).then(next);
            });
          }
          if (REFUSED.indexOf(answer.status) >= 0) {
            return reasonOf(answer).then(function (reason) {
              if (/CSRF/.test(reason)) { retryLater(); return; }  /* about this page's token, not the item */
              item.state = "refused";
              item.reason = reason;
              if (isThisSession(item.sessionId)) { refusedHere = true; }
              return openOutbox().then(function (db) { return db.put(STORE, item); }).then(next);
            });
          }
          retryLater();  /* 401 (signed out or locked), 429, 5xx: no answer about the item itself */
        }, function () { retryLater(); });
      });
    }
    return next()
      .then(function () { return settle(answers, refusedHere); })
      .catch(function () { retryLater(); })
      .then(function () {
        flushing = false;
        if (askedAgain) { flush(); }
        return showCounts();
      });
  }
  function isThisSession(sessionId) {
    var panel = document.getElementById("session-panel");
    return panel && panel.dataset.sessionId === String(sessionId);
  }
  /* Once nothing of this session waits: the server's panel replaces the tablet's stand-in, unless both show
     the record form (the therapist may be filling it in now). After a refusal, the server's panel always. */
  function settle(answers, refusedHere) {
    var panel = document.getElementById("session-panel");
    if (!panel) { return; }
    return items().then(function (all) {
      var left = waiting(all).filter(function (item) { return isThisSession(item.sessionId); });
      if (left.length) { return redraw(); }
      if (refusedHere) {
        return fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
          .then(function (answer) { return answer.ok ? answer.text() : null; })
          .then(function (html) { if (html) { replacePanel(html, true); } }, function () {});
      }
      var html = answers[panel.dataset.sessionId];
      if (html) { replacePanel(html, false); }
    });
  }
  function replacePanel(html, always) {
    var panel = document.getElementById("session-panel");
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("session-panel");
    if (!panel || !fresh) { return; }
    var sameStep = panel.dataset.localStep && fresh.dataset.step === panel.dataset.step && fresh.dataset.step === "record";
    if (sameStep && !always) {
      var note = panel.querySelector("[data-outbox-note]");
      if (note) { note.remove(); }
      return;
    }
    var node = document.importNode(fresh, true);
    panel.replaceWith(node);
    forgetFinishedSession();
    if (window.htmx) { htmx.process(node); }
    document.dispatchEvent(new Event("htmx:afterSettle"));
  }
  function askForBackgroundSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register("bedside-outbox"); }
    }).catch(function () { /* no Background Sync: "online", load and the timer still send */ });
  }

  /* ---- Sign out, lock, and the pages that mean nobody is signed in here. ---- */
  /* Forget the session page the service worker kept; the outbox keeps only what is not sent yet (it holds
     nothing else). */
  function clearDevice() {
    var done = [];
    if (window.caches) { done.push(caches.delete(SESSION_CACHE)); }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "bedside-clear-session" });
    }
    return Promise.all(done).catch(function () {});
  }
  /* A session that is over, with nothing of it waiting: its page is no longer needed offline. */
  function forgetFinishedSession() {
    var panel = document.getElementById("session-panel");
    if (!panel || panel.dataset.step !== "done" || !window.caches) { return Promise.resolve(); }
    return items().then(function (all) {
      if (!waiting(all).some(function (item) { return isThisSession(item.sessionId); })) {
        return caches.delete(SESSION_CACHE);
      }
    }).catch(function () {});
  }
  function sheet(form, count) {
    var old = document.getElementById("signout-sheet");
    if (old) { old.remove(); }
    var dialog = document.createElement("dialog");
    dialog.id = "signout-sheet";
    dialog.className = "sheet";
    dialog.setAttribute("aria-labelledby", "signout-sheet-title");
    var title = document.createElement("h2");
    title.id = "signout-sheet-title";
    title.textContent = count === 1 ? "1 item not sent yet" : count + " items not sent yet";
    var text = document.createElement("p");
    text.textContent = "They are saved on this tablet. Send them now, or sign out anyway: they stay on this " +
      "tablet and are sent at your next sign-in here.";
    var sendNow = document.createElement("button");
    sendNow.type = "button"; sendNow.className = "btn btn-primary btn-wide"; sendNow.textContent = "Send now";
    var anyway = document.createElement("button");
    anyway.type = "button"; anyway.className = "btn btn-quiet btn-wide"; anyway.textContent = "Sign out anyway";
    sendNow.addEventListener("click", function () {
      sendNow.disabled = true;
      text.textContent = "Sending…";
      flush().then(items).then(function (all) {
        var left = waiting(all).length;
        sendNow.disabled = false;
        if (!left) { dialog.close(); leave(form); return; }
        title.textContent = left === 1 ? "1 item not sent yet" : left + " items not sent yet";
        text.textContent = "Bedside cannot be reached from this tablet right now. Try again, or sign out anyway.";
      });
    });
    anyway.addEventListener("click", function () { dialog.close(); leave(form); });
    dialog.appendChild(title); dialog.appendChild(text); dialog.appendChild(sendNow); dialog.appendChild(anyway);
    document.body.appendChild(dialog);
    dialog.showModal();
  }
  function leave(form) { clearDevice().then(function () { form.submit(); }); }
  document.addEventListener("submit", function (event) {
    var form = event.target, action = form.getAttribute && form.getAttribute("action");
    if (action !== "/signout" && action !== "/lock") { return; }
    event.preventDefault();
    if (action === "/lock" || !userId() || !window.idb) { leave(form); return; }
    items().then(function (all) {
      var n = waiting(all).length;
      if (n) { sheet(form, n); } else { leave(form); }
    }, function () { leave(form); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.hasAttribute("data-clear-device") && !document.querySelector("[data-offline-page]")) {
      clearDevice();
      return;
    }
    if (!userId() || !window.idb) { return; }
    redraw().then(showCounts).then(forgetFinishedSession).then(flush);
    window.addEventListener("online", function () { retries = 0; flush(); });
    /* The page's socket opening again means the server answers again (after a restart, say). */
    document.addEventListener("htmx:wsOpen", function () { retries = 0; flush(); });
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "bedside-outbox-flush") { flush(); }
      });
    }
  });
  window.bedsideOutbox = { flush: flush, items: items };
})();
