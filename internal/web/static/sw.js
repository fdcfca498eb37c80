// PatternVault's service worker, served at /sw.js so that it covers the
// whole site. It keeps the app shell (styles, scripts, icons and the
// offline page), and answers from its caches when the network is gone:
// the designs kept on this device (cache pv-kept, filled by offline.js),
// the designs and share links viewed lately (pv-recent: their pages kept
// here as they are fetched, their pictures by offline.js). Online, pages always come from the server.
"use strict";
var VERSION = "__VERSION__";
var SHELL = "pv-shell-" + VERSION;
var SHELL_FILES = ["/offline", "/static/app.css", "/static/app.js", "/static/grid.js", "/static/kit.js",
  "/static/share.js", "/static/offline.js", "/static/favicon.svg", "/static/icon-192.png", "/static/icon-512.png"];

self.addEventListener("install", function (ev) {
  ev.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(SHELL_FILES); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (ev) {
  ev.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("pv-shell-") === 0 && k !== SHELL; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// A design's page, and a share link's page, are kept as they are viewed
// (offline.js keeps their pictures and trims the oldest).
var RECENT = /^\/(t\/[^/]+\/patterns\/\d+|s\/[^/]+)$/;

function fromCache(req) {
  return caches.match(req).then(function (r) {
    return r || caches.match(req, { ignoreSearch: true }).then(function (r2) {
      // A page opened with another query (?from=...) is the same page;
      // a download in another format is not.
      return r2 && req.mode === "navigate" && new URL(req.url).pathname.indexOf("/download") < 0 ? r2 : undefined;
    });
  });
}

self.addEventListener("fetch", function (ev) {
  var req = ev.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    ev.respondWith(caches.match(req, { ignoreSearch: true }).then(function (r) { return r || fetch(req); }));
    return;
  }
  if (req.mode !== "navigate") {
    // Pictures and files: from the network when there is one, otherwise
    // from what is kept (offline.js keeps a viewed design's pictures).
    if (!self.navigator.onLine) {
      ev.respondWith(fromCache(req).then(function (r) { return r || fetch(req); }));
      return;
    }
    ev.respondWith(fetch(req).catch(function (err) {
      return fromCache(req).then(function (r) { if (r) return r; throw err; });
    }));
    return;
  }
  ev.respondWith(fetch(req).then(function (res) {
    if (res.ok && res.type === "basic" && !res.redirected && RECENT.test(url.pathname)) {
      var copy = res.clone();
      caches.open("pv-recent").then(function (c) { return c.put(req, copy); });
    }
    return res;
  }).catch(function (err) {
    return fromCache(req).then(function (r) {
      if (r) return r;
      return caches.match("/offline"); // the designs on this device
    });
  }));
});
