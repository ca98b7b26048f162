// Progress of a long dry run or import: while the form is being sent, poll the import's status
// and move the progress bar. The page works without it (the browser waits for the result).
(function () {
  "use strict";
  document.querySelectorAll("form[data-progress-url]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var box = document.getElementById(form.getAttribute("data-progress-target"));
      if (!box || !window.fetch) {
        return;
      }
      var bar = box.querySelector("progress");
      var percent = box.querySelector("[data-percent]");
      box.classList.remove("d-none");
      var poll = function () {
        fetch(form.getAttribute("data-progress-url"), {
          credentials: "same-origin", headers: {"Accept": "application/json"}
        }).then(function (response) {
          return response.ok ? response.json() : null;
        }).then(function (state) {
          if (state) {
            bar.value = state.percent;
            if (percent) {
              percent.textContent = state.percent;
            }
          }
          setTimeout(poll, 700);
        }).catch(function () {
          setTimeout(poll, 2000);
        });
      };
      setTimeout(poll, 300);
    });
  });
})();
