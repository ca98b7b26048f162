// Small progressive enhancements; every page works without them. No inline scripts (CSP).
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');

  // Live preview of a letter template while it is edited: the form is sent to the preview
  // frame (sandboxed, its own CSP) by its Preview button; the page never holds the preview.
  var body = document.querySelector("textarea[data-preview]");
  if (body) {
    var button = document.getElementById(body.getAttribute("data-preview"));
    var timer = null;
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { button.click(); }, 600);
    });
  }

  // Buttons that start long work show that it is running and cannot be pressed twice.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.textContent = form.getAttribute("data-busy");
      });
    });
  });
})();
