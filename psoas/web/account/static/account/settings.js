// Settings: copy the calendar link with one tap, and move focus to a list of errors.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
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
  }
});
