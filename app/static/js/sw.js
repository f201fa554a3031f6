// Service worker: lessons saved for reading offline (site.js puts them in caches named
// "offline-course:<slug>") open without a connection. Pages are always asked of the network
// first, so a connected reader never sees an old copy; a newer version fetched while
// connected replaces the saved one. Nothing else is cached, and nothing is sent from here.
"use strict";
var PREFIX = "offline-course:";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// The saved copy of a request and the cache holding it, or null.
function saved(request) {
  return caches.keys().then(function (names) {
    names = names.filter(function (name) { return name.indexOf(PREFIX) === 0; });
    return names.reduce(function (found, name) {
      return found.then(function (hit) {
        if (hit) return hit;
        return caches.open(name).then(function (cache) {
          return cache.match(request, { ignoreVary: true }).then(function (response) {
            return response ? { response: response, cache: cache } : null;
          });
        });
      });
    }, Promise.resolve(null));
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    if (!response.ok || response.redirected || response.type !== "basic") return response;
    var copy = response.clone();
    return saved(request).then(function (hit) {
      return hit ? hit.cache.put(request.url, copy) : null;
    }).then(function () { return response; }, function () { return response; });
  }, function (error) {
    return saved(request).then(function (hit) {
      if (hit) return hit.response;
      return saved(new Request("/offline")).then(function (fallback) {
        if (fallback) return fallback.response;  // "not saved on this device"
        throw error;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && /\/complete$/.test(url.pathname)) {
    // "Mark as completed" on a connection that looks up but fails: back to the lesson, whose
    // page (site.js) keeps the mark on the device, instead of the browser's error page.
    event.respondWith(fetch(request).catch(function () {
      return Response.redirect(url.pathname.replace(/\/complete$/, "") + "#offline-queued", 303);
    }));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    // versioned (?v=hash): a saved copy is the same file
    event.respondWith(saved(request).then(function (hit) { return hit ? hit.response : fetch(request); }));
  }
});
