// Oodaloo portal: tiny progressive enhancements (no inline scripts; CSP allows 'self' only).
(function () {
  "use strict";
  // Show refused actions (4xx) in the flash area instead of silently ignoring them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      event.detail.target = document.getElementById("flash");
      event.detail.swapOverride = "innerHTML";
    }
  });
  // Forms that create something outside (pay now) submit once: the button locks on submit.
  // The server is the real guard (idempotency key + row lock); this just calms double clicks.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) return;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    var button = form.querySelector("button");
    if (button) { button.disabled = true; button.textContent = "Sending…"; }
  });
})();
