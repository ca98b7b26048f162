// The map of the day's tasks or of the branch's companies: the points come from the page's
// JSON endpoint (no inline data, CSP), each a circle marker coloured by status with its label,
// on the configured tile server's map or, without one, on a plain background.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || !window.L) { return; }
  var COLOURS = {overdue: "#dc3545", open: "#fd7e14", paused: "#6c757d", none: "#198754"};
  //: at most this many labels stay on the map; more would hide each other (tap for the rest)
  var LABELS = 40;

  var map = L.map(box, {zoomControl: true, attributionControl: !!box.dataset.tiles});
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution || ""}).addTo(map);
  }

  function link(href, text, external) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (external) { a.target = "_blank"; a.rel = "noopener"; }
    return a;
  }

  function popup(point) {
    var div = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = point.name;
    div.appendChild(title);
    div.appendChild(document.createElement("br"));
    div.appendChild(document.createTextNode(point.status_label));
    div.appendChild(document.createElement("br"));
    div.appendChild(link(point.url, box.dataset.openCompany, false));
    if (point.maps_url) {
      div.appendChild(document.createTextNode(" · "));
      div.appendChild(link(point.maps_url, box.dataset.openMaps, true));
    }
    return div;
  }

  fetch(box.dataset.points, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var bounds = [];
      var permanent = data.points.length <= LABELS;
      data.points.forEach(function (point) {
        var at = [point.lat, point.lng];
        bounds.push(at);
        var label = document.createElement("span");
        label.textContent = point.name;
        L.circleMarker(at, {radius: 8, weight: 2, color: "#333", fillColor: COLOURS[point.status] || "#333", fillOpacity: 0.9})
          .bindTooltip(label, {permanent: permanent, direction: "right", offset: [8, 0], className: "map-label"})
          .bindPopup(popup(point))
          .addTo(map);
      });
      if (bounds.length) {
        map.fitBounds(bounds, {padding: [40, 40], maxZoom: 16});
      } else {
        map.setView([-2.5, 118], 4);  // Indonesia
      }
    })
    .catch(function () { map.setView([-2.5, 118], 4); });
})();
