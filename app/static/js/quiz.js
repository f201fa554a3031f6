// Quiz attempt page: saves each answer as it changes, keeps a copy on the device while the
// connection is down, shows the time left, and asks before submitting. The server decides
// everything (deadline, grading); this script only spares the official lost answers.
(function () {
  "use strict";
  // The result page: the attempt was received, its copy on the device can go.
  var received = document.querySelector("[data-attempt-received]");
  if (received) {
    try { localStorage.removeItem("attempt:" + received.dataset.attemptReceived); } catch (e) { /* ignore */ }
  }
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var status = document.getElementById("save-status");
  var saveUrl = form.dataset.saveUrl;
  var storeKey = "attempt:" + saveUrl;
  var pending = {};  // question id -> fieldset whose answer the server has not confirmed
  var ready = {};    // question id -> true: to be sent with the next request
  var sending = false;
  var timer = null;
  var retryTimer = null;
  var RETRY_MS = 10000;
  var TIMEOUT_MS = 20000;

  function say(text) { if (status) status.textContent = text; }

  function addFields(data, fieldset) {
    fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      data.append(el.name, el.value);
    });
  }

  // Only answers not yet confirmed by the server are kept on the device, per question, so an
  // old copy can never overwrite an answer given later on another device.
  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { return {}; }
  }

  function store(unsent) {
    try {
      if (Object.keys(unsent).length) localStorage.setItem(storeKey, JSON.stringify(unsent));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* private mode: nothing kept */ }
  }

  function valuesOf(fieldset) {
    var values = {};
    fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.type === "hidden") return;
      if (el.type === "radio" || el.type === "checkbox") {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      } else {
        values[el.name] = [el.value];
      }
    });
    return values;
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function remember(fieldset) {
    var unsent = load();
    unsent[fieldset.dataset.question] = valuesOf(fieldset);
    store(unsent);
  }

  function forget(id, sentValues) {
    var unsent = load();
    if (same(unsent[id], sentValues)) {  // not changed meanwhile
      delete unsent[id];
      store(unsent);
    }
  }

  // One request at a time, carrying every answer waiting: on a weak connection a later answer
  // can then never arrive before an earlier one and be overwritten by it.
  function pump() {
    if (sending) return;
    var ids = Object.keys(ready).filter(function (id) { return pending[id]; });
    ready = {};
    if (!ids.length) return;
    var data = new FormData();
    data.append("csrf_token", form.elements.csrf_token.value);
    var sent = {};
    ids.forEach(function (id) {
      addFields(data, pending[id]);
      sent[id] = valuesOf(pending[id]);
    });
    sending = true;
    say(form.dataset.msgSaving);
    // A request a weak connection leaves hanging would block every later save: give up on it
    // after a while and try again, like any other network failure.
    var controller = window.AbortController ? new AbortController() : null;
    var watchdog = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    fetch(saveUrl, {
      method: "POST",
      body: data,
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      redirect: "manual",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      clearTimeout(watchdog);
      sending = false;
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok && body.saved === true) {  // nothing else proves the server kept them
          ids.forEach(function (id) {
            forget(id, sent[id]);
            // changed again while this was on its way: that newer answer is still to be saved
            if (pending[id] && same(valuesOf(pending[id]), sent[id])) delete pending[id];
          });
          if (!Object.keys(pending).length) say(form.dataset.msgSaved);
          pump();
          return;
        }
        say(body.error || form.dataset.msgOffline);
        if (response.status >= 500) {
          retryLater();
        } else {
          // Refused: signed out (a redirect to the sign-in page, or the form's session gone),
          // the attempt closed (409)... The page, loaded again, shows what to do; the answers
          // stay on the device and are put back once the attempt page shows again.
          reloadOnce();
        }
      });
    }).catch(function () {
      clearTimeout(watchdog);
      sending = false;
      say(form.dataset.msgOffline);
      retryLater();
    });
  }

  // At most one reload every half minute, so that a refusal that a reload cannot cure never
  // turns into a loop.
  function reloadOnce() {
    var key = "reloaded:" + saveUrl;
    var last = 0;
    try { last = Number(sessionStorage.getItem(key)) || 0; } catch (e) { /* ignore */ }
    if (Date.now() - last < 30000) return;
    try { sessionStorage.setItem(key, String(Date.now())); } catch (e) { /* ignore */ }
    window.location.reload();
  }

  // Everything not yet confirmed, again (the connection is back, or may be).
  function sendPending() {
    Object.keys(pending).forEach(function (id) { ready[id] = true; });
    pump();
  }

  // A weak connection often fails without the browser noticing it is offline (no "online"
  // event follows): answers not yet saved are sent again a little later.
  function retryLater() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; sendPending(); }, RETRY_MS);
  }

  function changed(event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset) return;
    var id = fieldset.dataset.question;
    pending[id] = fieldset;
    remember(fieldset);
    say(form.dataset.msgSaving);  // never "Saved" while an answer waits to be sent
    clearTimeout(fieldset._saveTimer);
    fieldset._saveTimer = setTimeout(function () {
      ready[id] = true;
      pump();
    }, event.type === "input" ? 800 : 0);
  }

  // Answers the server never confirmed (the connection dropped, the tab was closed): put them
  // back and send them.
  function restore() {
    var unsent = load();
    Object.keys(unsent).forEach(function (id) {
      var fieldset = form.querySelector('fieldset[data-question="' + id + '"]');
      if (!fieldset || fieldset.disabled) return;
      var wanted = unsent[id];
      fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (!el.name || !(el.name in wanted) || el.type === "hidden") return;
        if (el.type === "radio" || el.type === "checkbox") {
          el.checked = wanted[el.name].indexOf(el.value) !== -1;
        } else {
          el.value = wanted[el.name][0] || "";
        }
      });
      pending[id] = fieldset;
    });
    sendPending();
  }
  restore();

  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.matches("input[type=text], textarea")) changed(event);
  });
  window.addEventListener("online", sendPending);

  // The copy on the device is kept until the result page shows the attempt was received: a
  // submission lost on the way must not take the answers with it.
  form.addEventListener("submit", function (event) {
    if (navigator.onLine === false) {
      event.preventDefault();
      say(form.dataset.msgOffline);
      return;
    }
    var submitter = event.submitter;
    if (submitter && submitter.value === "save") return;
    if (!window.confirm(form.dataset.msgConfirm)) event.preventDefault();
  });

  var bar = document.getElementById("attempt-bar");
  var clock = document.getElementById("timer");
  if (bar && clock && bar.dataset.secondsLeft) {
    // Counted from the seconds left when the server sent the page, not from the device's
    // clock, which may be wrong by minutes (the server's deadline is what counts).
    var deadline = Date.now() + 1000 * Number(bar.dataset.secondsLeft);
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left <= 60) clock.classList.add("urgent");
      if (left === 0) {
        clearInterval(timer);
        clock.textContent = form.dataset.msgTimeup;
        // The server has graded (or closed) the attempt with what was saved: show it.
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    };
    tick();
    timer = setInterval(tick, 1000);
  }
})();
