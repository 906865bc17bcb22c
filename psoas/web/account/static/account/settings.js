// Settings: copy the calendar or phone link with one tap, move focus to a list of errors,
// fill in the reminder form's time zone from the device,
// and after htmx swaps in a new calendar or phone link, move focus to it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  // the reminder form's time zone, when empty: the device's own
  const zone = document.querySelector("[data-fill-zone]");
  if (zone && !zone.value) {
    try {
      zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch {
      /* left empty: the person types it */
    }
  }
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.status || "copy_status");
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = button.dataset.copied || "Copied.";
  } catch {
    input.focus();
    input.select();
    status.textContent = "Selected. Copy it with your keyboard or menu.";
  }
});

document.addEventListener("htmx:afterSettle", (event) => {
  const done = { calendar: "calendar_done", phone: "phone_link_made" }[event.detail.target.id];
  const el = done && document.getElementById(done);
  if (el) el.focus();
});
