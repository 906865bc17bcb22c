// psoas service worker: today's session keeps working with the network gone.
//
// * Pages (/today/ and an open /session/<id>/): network first, so an online person always
//   gets fresh HTML; the last copy is kept and served when the network is down.
// * Static files (/static/...): served from the cache, refreshed from the network behind.
// * Everything else, and every POST (the API saves), goes straight to the network: the
//   player keeps saves made offline in its own outbox and sends them when it is back.
"use strict";
importScripts("/static/breaks/sw-breaks.js"); // move-break notifications: their clicks
const VERSION = "psoas-v1";
const SHELL = [
  "/today/",
  "/static/site/app.css",
  "/static/site/app.js",
  "/static/site/icon.svg",
  "/static/site/vendor/htmx.min.js",
  "/static/tracking/tracking.css",
  "/static/tracking/player.css",
  "/static/tracking/player.js",
];
const OFFLINE_PAGES = [/^\/today\/$/, /^\/session\/\d+\/$/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(VERSION).then((cache) =>
      Promise.all(SHELL.map((url) => cache.add(new Request(url, { credentials: "same-origin" })).catch(() => {}))),
    ).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(VERSION);
  const key = new URL(request.url);
  key.search = ""; // /session/7/?speed=50 and /session/7/ are the same page
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(key.href, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(key.href);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => null);
  if (cached) return cached;
  const response = await fresh;
  if (response) return response;
  return Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (OFFLINE_PAGES.some((re) => re.test(url.pathname))) {
    event.respondWith(networkFirst(request));
  }
});
