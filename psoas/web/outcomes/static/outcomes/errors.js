// A form sent back with errors: move focus to the list of what to fix, so a screen reader
// reads it and a keyboard user can follow its links to each field.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
