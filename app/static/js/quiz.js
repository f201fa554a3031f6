// Quiz attempt page: saves each answer as it changes, keeps a copy on the device while the
// connection is down, shows the time left, and asks before submitting. The server decides
// everything (deadline, grading); this script only spares the official lost answers.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var status = document.getElementById("save-status");
  var saveUrl = form.dataset.saveUrl;
  var storeKey = "attempt:" + saveUrl;
  var pending = {};
  var timer = null;

  function say(text) { if (status) status.textContent = text; }

  function fieldsOf(fieldset) {
    var data = new FormData();
    data.append("csrf_token", form.elements.csrf_token.value);
    fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      data.append(el.name, el.value);
    });
    return data;
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

  function remember(fieldset) {
    var unsent = load();
    unsent[fieldset.dataset.question] = valuesOf(fieldset);
    store(unsent);
  }

  function forget(fieldset, sentValues) {
    var unsent = load();
    var id = fieldset.dataset.question;
    if (JSON.stringify(unsent[id]) === JSON.stringify(sentValues)) {  // not changed meanwhile
      delete unsent[id];
      store(unsent);
    }
  }

  function send(fieldset) {
    say(form.dataset.msgSaving);
    var sentValues = valuesOf(fieldset);
    return fetch(saveUrl, {
      method: "POST",
      body: fieldsOf(fieldset),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) {
        delete pending[fieldset.dataset.question];
        forget(fieldset, sentValues);
        if (!Object.keys(pending).length) say(form.dataset.msgSaved);
        return;
      }
      return response.json().then(function (body) {
        say(body.error || form.dataset.msgOffline);
        if (response.status === 409) window.location.reload();
      });
    }).catch(function () {
      say(form.dataset.msgOffline);
    });
  }

  function changed(event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset) return;
    pending[fieldset.dataset.question] = fieldset;
    remember(fieldset);
    clearTimeout(fieldset._saveTimer);
    fieldset._saveTimer = setTimeout(function () { send(fieldset); }, event.type === "input" ? 800 : 0);
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
      send(fieldset);
    });
  }
  restore();

  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.matches("input[type=text], textarea")) changed(event);
  });
  window.addEventListener("online", function () {
    Object.keys(pending).forEach(function (id) { send(pending[id]); });
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.value === "save") return;
    if (!window.confirm(form.dataset.msgConfirm)) { event.preventDefault(); return; }
    try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
  });

  var bar = document.getElementById("attempt-bar");
  var clock = document.getElementById("timer");
  if (bar && clock && bar.dataset.deadline) {
    var deadline = Date.parse(bar.dataset.deadline);
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
