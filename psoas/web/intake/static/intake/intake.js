// The intake pages: show a follow-up question only when its answer calls for it (without
// JavaScript every question shows, with a hint saying when to answer it), and move focus
// to the error summary so a screen reader hears what to fix.
(function () {
  "use strict";
  function update() {
    document.querySelectorAll("[data-show-when]").forEach(function (el) {
      // "name=value", or "name=a|b|c" to show for any of those answers
      var parts = el.getAttribute("data-show-when").split("=");
      var show = parts[1].split("|").some(function (value) {
        var on = document.querySelector(
          'input[name="' + parts[0] + '"][value="' + value + '"]'
        );
        return Boolean(on && on.checked);
      });
      // a parent that is hidden hides its children too
      var parent = el.parentElement && el.parentElement.closest("[data-show-when]");
      el.hidden = !show || Boolean(parent && parent.hidden);
    });
  }
  document.addEventListener("change", update);
  update();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
