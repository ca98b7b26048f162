// Work in the field: "Record my location" asks the browser for the phone's position only when
// tapped and puts it in the step form's hidden fields; after a WhatsApp tap the "Message sent?"
// form opens. Every page works without this script. No inline scripts (CSP).
(function () {
  "use strict";

  document.querySelectorAll("[data-locate]").forEach(function (box) {
    var form = box.closest("form");
    var button = box.querySelector("[data-locate-button]");
    var status = box.querySelector("[data-locate-status]");
    var kinds = (box.getAttribute("data-visit-kinds") || "").split(" ");

    function input(name) { return form.querySelector("input[name=" + name + "]"); }

    // the position belongs to a visit: the block shows for the visit rungs only
    function follow() {
      var chosen = form.querySelector("input[name=kind]:checked");
      box.hidden = !chosen || kinds.indexOf(chosen.value) === -1;
      if (box.hidden) {  // a position goes with a visit only
        ["latitude", "longitude", "accuracy", "position_at"].forEach(function (name) { input(name).value = ""; });
        status.textContent = "";
      }
    }
    form.querySelectorAll("input[name=kind]").forEach(function (radio) {
      radio.addEventListener("change", follow);
    });
    follow();

    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        status.textContent = box.getAttribute("data-unsupported");
        return;
      }
      button.disabled = true;
      status.textContent = box.getAttribute("data-asking");
      navigator.geolocation.getCurrentPosition(function (position) {
        var c = position.coords;
        input("latitude").value = c.latitude.toFixed(7);
        input("longitude").value = c.longitude.toFixed(7);
        input("accuracy").value = Math.round(c.accuracy * 10) / 10;
        input("position_at").value = new Date(position.timestamp).toISOString();
        status.textContent = box.getAttribute("data-recorded").replace("{m}", Math.round(c.accuracy));
        button.disabled = false;
      }, function () {
        status.textContent = box.getAttribute("data-denied");
        button.disabled = false;
      }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
    });
  });

  document.querySelectorAll("[data-whatsapp]").forEach(function (box) {
    var link = box.querySelector("[data-whatsapp-link]");
    var confirm = box.querySelector("[data-whatsapp-confirm]");
    link.addEventListener("click", function () { confirm.open = true; });
  });
})();
