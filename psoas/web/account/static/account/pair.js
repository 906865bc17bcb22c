// A phone link opens a page that shows whose login it gives (looking changes nothing);
// this sends its form at once, so scanning the code is all a person does. Without
// JavaScript the button does the same.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("pair-form");
  if (form) form.requestSubmit();
});
