// Shared by every page: install the service worker that keeps today's session usable
// with the network gone (psoas/web/site/static/site/sw.js). Browsers run one only for a
// secure page (this device's own address, or https://); elsewhere, such as a phone on
// `psoas serve --host` over plain http://, the notes marked data-insecure-only say so.
"use strict";
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-insecure-only]").forEach((el) => {
    el.hidden = window.isSecureContext;
  });
});

// htmx requests carry Django's CSRF token from its cookie, so no page has to print it
// (pages stay the same for every visitor and can be cached).
document.addEventListener("htmx:configRequest", (event) => {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
});
