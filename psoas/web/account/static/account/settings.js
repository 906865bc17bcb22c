// Settings: copy the calendar link with one tap, move focus to a list of errors, and after
// htmx swaps in a new calendar link, move focus to the words that say so.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy_status");
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = "Copied. Paste it into your calendar app.";
  } catch {
    input.focus();
    input.select();
    status.textContent = "Selected. Copy it with your keyboard or menu.";
  }
});

document.addEventListener("htmx:afterSettle", (event) => {
  const done = document.getElementById("calendar_done");
  if (done && event.detail.target.id === "calendar") done.focus();
});
