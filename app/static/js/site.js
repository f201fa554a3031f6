// Every page: side-scrolling boxes (wide tables, the chart, code) that are wider than the
// screen become reachable with the keyboard (Tab, then the arrow keys) and are named for a
// screen reader. Boxes that fit are left alone, so they add no useless Tab stop.
(function () {
  "use strict";
  var SELECTOR = ".table-wrap, .chart-wrap, .prose table, .prose pre";

  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    if (box.dataset.label) return box.dataset.label;
    var previous = box.previousElementSibling;
    while (previous && !/^H[1-6]$/.test(previous.tagName)) previous = previous.previousElementSibling;
    return previous ? previous.textContent.trim() : document.title;
  }

  function mark() {
    document.querySelectorAll(SELECTOR).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollMarked = "1";
        if (box.tagName === "DIV") {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", nameOf(box));
        }
      } else if (!scrolls && box.dataset.scrollMarked) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollMarked;
        if (box.tagName === "DIV") {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
})();

// Reading offline. A course page offers "Save for reading offline": the course page, its
// lessons and this site's style and scripts go into a cache that the service worker (/sw.js)
// answers from when there is no connection. "Mark as completed" pressed without a connection
// is kept on the device (localStorage) and sent, with a fresh CSRF token if the page's has
// expired, as soon as the connection returns; the page says so. Signing out clears it all
// (the server answers the sign-out with Clear-Site-Data).
(function () {
  "use strict";
  var PREFIX = "offline-course:";
  var QUEUE = "offline-completions";
  var VERSION = "offline-version:";
  var TITLE = "offline-title:";
  var supported = "caches" in window && "serviceWorker" in navigator && window.fetch;
  var note = document.getElementById("offline-note");
  var OWNER = "offline-owner";
  // Whose page this is: what one account saved or marked is never shown to, or sent as,
  // another account signed in later on the same device.
  var user = document.body.dataset.user || "";

  function say(key) {
    if (!note || !note.dataset[key]) return;
    note.textContent = note.dataset[key];
    note.hidden = false;
  }

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(items) {
    try {
      if (items.length) localStorage.setItem(QUEUE, JSON.stringify(items));
      else localStorage.removeItem(QUEUE);
    } catch (e) { /* storage full or refused: nothing more to do */ }
  }

  // --- Saving a course -------------------------------------------------------------------
  function assets() {
    var urls = [];
    document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]").forEach(function (el) {
      urls.push(el.href || el.src);
    });
    return urls;
  }

  function save(box) {
    var name = PREFIX + box.dataset.offlineCourse;
    var urls = JSON.parse(box.dataset.offlineUrls).concat(assets());
    var fresh = name + ":new";
    return navigator.serviceWorker.register("/sw.js").then(function () {
      return caches.open(fresh);
    }).then(function (cache) {
      // one at a time: a weak connection is not flooded
      return urls.reduce(function (done, url) {
        return done.then(function () {
          return fetch(url, { credentials: "same-origin" }).then(function (response) {
            if (!response.ok || response.redirected) throw new Error("not saved: " + url);
            return cache.put(url, response);
          });
        });
      }, Promise.resolve());
    }).then(function () {
      // the complete new copy replaces the old one
      return caches.open(name).then(function (target) {
        return caches.open(fresh).then(function (source) {
          return source.keys().then(function (requests) {
            return Promise.all(requests.map(function (request) {
              return source.match(request).then(function (response) { return target.put(request, response); });
            }));
          });
        });
      });
    }).then(function () {
      return caches.delete(fresh);
    }).then(function () {
      localStorage.setItem(OWNER, user);
      localStorage.setItem(VERSION + box.dataset.offlineCourse, box.dataset.offlineVersion);
      localStorage.setItem(TITLE + box.dataset.offlineCourse, box.dataset.offlineTitle);
    }, function (error) {
      caches.delete(fresh);
      throw error;
    });
  }

  function showSaved(box, saved) {
    box.querySelector("[data-offline-save]").hidden = saved;
    box.querySelector("[data-offline-remove]").hidden = !saved;
    box.querySelector("[data-offline-state]").textContent = saved ? box.dataset.saved : "";
  }

  function setUpCourse(box) {
    var slug = box.dataset.offlineCourse;
    var state = box.querySelector("[data-offline-state]");
    box.hidden = false;
    box.querySelector("[data-offline-save]").addEventListener("click", function () {
      state.textContent = box.dataset.saving;
      save(box).then(function () { showSaved(box, true); }, function () {
        state.textContent = box.dataset.failed;
      });
    });
    box.querySelector("[data-offline-remove]").addEventListener("click", function () {
      caches.delete(PREFIX + slug).then(function () {
        localStorage.removeItem(VERSION + slug);
        localStorage.removeItem(TITLE + slug);
        showSaved(box, false);
        state.textContent = box.dataset.removed;
      });
    });
    caches.has(PREFIX + slug).then(function (saved) {
      showSaved(box, saved);
      var current = localStorage.getItem(VERSION + slug) === box.dataset.offlineVersion;
      if (saved && !current && navigator.onLine) {
        // a lesson changed since it was saved: the saved copy is replaced
        state.textContent = box.dataset.saving;
        save(box).then(function () { showSaved(box, true); }, function () {
          state.textContent = box.dataset.failed;
        });
      }
    });
  }

  // --- "Mark as completed" without a connection ------------------------------------------
  function token(html) {
    var doc = html ? new DOMParser().parseFromString(html, "text/html") : document;
    var input = doc.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function post(url, csrf) {
    var body = new FormData();
    body.append("csrf_token", csrf);
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }

  function signedOut(response) {
    return new URL(response.url).pathname.indexOf("/auth/login") === 0;
  }

  // Sends one queued completion: "sent", "signed-out" or "failed".
  function send(item) {
    return post(item.url, token()).then(function (response) {
      if (response.status === 400) {
        // the page's token has expired: a fresh one from a fresh page, then once more
        return fetch("/", { credentials: "same-origin" }).then(function (page) {
          if (signedOut(page)) return page;
          return page.text().then(function (html) { return post(item.url, token(html)); });
        });
      }
      return response;
    }).then(function (response) {
      if (signedOut(response)) return "signed-out";
      return response.ok ? "sent" : "failed";
    }, function () { return "failed"; });
  }

  var flushing = false;
  function flush() {
    var all = readQueue();
    var items = all.filter(function (item) { return item.user === user; });
    if (flushing || !user || !items.length || !navigator.onLine) return;
    flushing = true;
    var left = all.filter(function (item) { return item.user !== user; });  // another account's
    var outcome = "sent";
    items.reduce(function (done, item) {
      return done.then(function () {
        return send(item).then(function (result) {
          if (result !== "sent") { left.push(item); outcome = result; }
        });
      });
    }, Promise.resolve()).then(function () {
      writeQueue(left);
      flushing = false;
      if (outcome === "sent") say("sent");
      else if (outcome === "signed-out") say("signIn");
      markQueued();
    });
  }

  function markQueued() {
    var queued = readQueue().filter(function (item) { return item.user === user; })
      .map(function (item) { return item.url; });
    document.querySelectorAll("form[data-offline-complete]").forEach(function (form) {
      var waiting = queued.indexOf(form.action) !== -1;
      form.hidden = waiting;
      var mark = form.parentNode.querySelector("[data-offline-queued]");
      if (mark) mark.hidden = !waiting;
    });
  }

  function queue(form) {
    var items = readQueue();
    if (!items.some(function (item) { return item.url === form.action && item.user === user; })) {
      items.push({ url: form.action, user: user, at: new Date().toISOString() });
    }
    writeQueue(items);
    markQueued();
    say("queued");
  }

  document.querySelectorAll("form[data-offline-complete]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;  // the ordinary way
      event.preventDefault();
      queue(form);
    });
    // Sent on a connection that failed: the service worker came back here to keep it.
    if (location.hash === "#offline-queued") {
      queue(form);
      history.replaceState(null, "", location.pathname + location.search);
    }
  });

  // The page shown for what was not saved: the courses that were.
  function listSaved(list) {
    caches.keys().then(function (names) {
      names.filter(function (name) { return name.indexOf(PREFIX) === 0 && !/:new$/.test(name); })
        .forEach(function (name) {
          var slug = name.slice(PREFIX.length);
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = "/courses/" + encodeURIComponent(slug);
          link.textContent = localStorage.getItem(TITLE + slug) || slug;
          item.appendChild(link);
          list.appendChild(item);
        });
      if (!list.children.length) {
        var empty = document.createElement("li");
        empty.textContent = list.dataset.empty;
        list.appendChild(empty);
      }
    });
  }

  // Saved copies belong to the account that saved them: another account's are removed as soon
  // as a signed-in page of a different account opens (signing out removes them anyway).
  function forgetOtherAccount() {
    var owner = localStorage.getItem(OWNER);
    if (!user || !owner || owner === user) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf(PREFIX) === 0; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf(VERSION) === 0 || key.indexOf(TITLE) === 0) localStorage.removeItem(key);
      });
      localStorage.removeItem(OWNER);
    });
  }

  if (!supported) return;
  forgetOtherAccount().then(function () {
    document.querySelectorAll("[data-offline-course]").forEach(setUpCourse);
  });
  document.querySelectorAll("[data-offline-list]").forEach(listSaved);
  markQueued();
  if (!navigator.onLine) say("offline");
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { say("offline"); });
  flush();
})();

// The printable sheet of new accounts: a button that prints the page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
})();
