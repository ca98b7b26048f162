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

  // The template editor's variables: a click puts "{{ company.name }}" where the cursor is
  // in the body (replacing a selection), and the preview follows as after typing.
  document.querySelectorAll("button[data-insert]").forEach(function (item) {
    item.addEventListener("click", function () {
      var area = document.getElementById(item.getAttribute("data-insert-into"));
      if (!area) { return; }
      var text = item.getAttribute("data-insert");
      var start = area.selectionStart, end = area.selectionEnd;
      area.focus();
      area.setRangeText(text, start, end, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

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
