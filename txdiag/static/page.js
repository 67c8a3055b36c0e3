// txdiag's page: the only script. Shows the "copy" button and copies the support ticket.
// Without JavaScript the ticket is still plain, selectable text.
"use strict";
(function () {
  function start() {
    var button = document.getElementById("copy");
    var ticket = document.getElementById("ticket");
    var status = document.getElementById("copy-status");
    if (!button || !ticket || !status) {
      return;
    }
    function select() {
      var range = document.createRange();
      range.selectNodeContents(ticket);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      ticket.focus();
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = ticket.textContent;
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(
          function () { status.textContent = button.getAttribute("data-done"); },
          function () { select(); status.textContent = button.getAttribute("data-failed"); }
        );
      } else {
        select();
        status.textContent = button.getAttribute("data-failed");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
