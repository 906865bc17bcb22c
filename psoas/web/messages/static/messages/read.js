// A thread's page marks what it showed as read: the page's own "Mark as read" form is
// sent in the background once the page has loaded (looking at a page never writes; this
// POST does, from psoas's own page, with its form token). Without scripts the button does
// the same. The unread count in the navigation follows (the server answers the new total).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-mark-read]");
  if (!form) return;
  fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  })
    .then((r) => (r.ok ? r.json() : null))
    .then((answer) => {
      if (!answer) return;
      form.hidden = true;
      document.querySelectorAll("[data-unread-total]").forEach((badge) => {
        const count = badge.querySelector("[data-count]");
        if (answer.total === 0) badge.remove();
        else if (count) count.textContent = String(answer.total);
      });
    })
    .catch(() => {});
});
