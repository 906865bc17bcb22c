// Shared by every page: install the service worker that keeps today's session usable
// with the network gone (psoas/web/site/static/site/sw.js).
"use strict";
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });
}
