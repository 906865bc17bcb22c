// The batch page asks the server again every few seconds while reports are being drawn,
// and swaps in the new progress and links. Without JavaScript the "Check again" link
// does the same by hand. It stops when the batch is done.
(function () {
  "use strict";
  function poll() {
    var status = document.getElementById("batch-status");
    if (!status || status.dataset.batchDone === "1") return;
    var wait = parseInt(status.dataset.pollMs, 10) || 3000;
    window.setTimeout(function () {
      fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
        .then(function (answer) { return answer.ok ? answer.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("batch-status");
          if (!fresh) return;
          status.innerHTML = fresh.innerHTML;
          status.dataset.batchDone = fresh.dataset.batchDone;
        })
        .catch(function () { /* the network dropped: try again next time */ })
        .then(poll);
    }, wait);
  }
  document.addEventListener("DOMContentLoaded", poll);
})();
