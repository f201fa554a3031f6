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

  function remember() {
    var values = {};
    form.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "shown" || el.type === "hidden") return;
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) (values[el.name] = values[el.name] || []).push(el.value);
      } else {
        values[el.name] = [el.value];
      }
    });
    try { localStorage.setItem(storeKey, JSON.stringify(values)); } catch (e) { /* private mode */ }
  }

  function send(fieldset) {
    say(form.dataset.msgSaving);
    return fetch(saveUrl, {
      method: "POST",
      body: fieldsOf(fieldset),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) {
        delete pending[fieldset.dataset.question];
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
    remember();
    clearTimeout(fieldset._saveTimer);
    fieldset._saveTimer = setTimeout(function () { send(fieldset); }, event.type === "input" ? 800 : 0);
  }

  // Answers kept on this device while the connection was down: put them back and send them.
  function restore() {
    var stored;
    try { stored = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { stored = null; }
    if (!stored) return;
    form.querySelectorAll("fieldset[data-question]").forEach(function (fieldset) {
      if (fieldset.disabled) return;
      var differs = false;
      // Compare with what the server rendered (the defaults), not with what the browser
      // may itself have restored into the fields on reload.
      fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (!el.name || !(el.name in stored) || el.type === "hidden") return;
        var wanted = stored[el.name];
        if (el.type === "radio" || el.type === "checkbox") {
          var on = wanted.indexOf(el.value) !== -1;
          if (el.defaultChecked !== on) differs = true;
          el.checked = on;
        } else if (el.tagName === "SELECT") {
          var saved = Array.prototype.find.call(el.options, function (o) { return o.defaultSelected; });
          if ((saved ? saved.value : "") !== wanted[0]) differs = true;
          el.value = wanted[0];
        } else {
          if (el.defaultValue !== wanted[0]) differs = true;
          el.value = wanted[0];
        }
      });
      if (differs) { pending[fieldset.dataset.question] = fieldset; send(fieldset); }
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
