// Shared by every page: install the service worker that keeps today's session usable
// with the network gone (psoas/web/site/static/site/sw.js).
"use strict";
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });
}

// htmx requests carry Django's CSRF token from its cookie, so no page has to print it
// (pages stay the same for every visitor and can be cached).
document.addEventListener("htmx:configRequest", (event) => {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
});
