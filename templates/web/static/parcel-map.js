// The public parcel map (标准地信息公开): parcel outlines from the page's GeoJSON, on the configured tiles or,
// with none configured, on a plain background. Clicking a parcel shows its facts and a link to its page.
(function () {
  "use strict";
  var element = document.getElementById("parcel-map");
  var data = document.getElementById("parcel-features");
  if (!element || !data || typeof L === "undefined") { return; }
  var features = JSON.parse(data.textContent);
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var colours = { available: "#1e6b34", planned: "#2f6fb0", reserved: "#b7791f", sold: "#6b7280" };
  var map = L.map(element, { attributionControl: Boolean(settings.tiles), scrollWheelZoom: false, zoomControl: false });
  L.control.zoom({ zoomInTitle: "放大", zoomOutTitle: "缩小" }).addTo(map);
  if (settings.tiles) {
    L.tileLayer(settings.tiles, { subdomains: settings.subdomains || "abc", attribution: settings.attribution || "",
                                  maxZoom: 18 }).addTo(map);
  } else {
    element.classList.add("no-tiles");
  }
  function style(feature) {
    var colour = colours[feature.properties.status] || "#1e6b34";
    return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.35 };
  }
  function describe(feature, shape) {
    var p = feature.properties;
    var lines = p.indicators.slice(0, 4).map(function (i) { return text(i.name_zh + " " + i.text); }).join("<br>");
    shape.bindPopup("<strong>" + text(p.number) + "</strong>（" + text(p.status_zh) + "）<br>" + text(p.base) +
                    "<br>" + text(p.location) + "<br>面积 " + text(p.area_mu) + " 亩<br><small>" + lines +
                    "</small><br><a href=\"" + text(p.url) + "\">查看详情与项目自检</a>");
    shape.bindTooltip(text(p.number));
  }
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }
  var shapes = L.geoJSON(features, { style: style, onEachFeature: describe });
  if (settings.extent) {
    map.fitBounds(settings.extent, { padding: [24, 24], maxZoom: 16 });
  } else {
    map.setView([22.92, 113.9], 11);
  }
  shapes.addTo(map);  // after the view is set: only then does Leaflet draw the paths
  // a marker at each parcel's centre too, while the parcels are a few pixels (the whole park in view)
  var markers = L.layerGroup();
  var byNumber = {};
  shapes.eachLayer(function (shape) {
    var p = shape.feature.properties;
    byNumber[p.number] = shape;
    var path = shape.getElement();
    if (path) {
      path.classList.add("parcel-outline");
      path.setAttribute("data-number", p.number);
      path.setAttribute("role", "img");
      path.setAttribute("aria-label", p.number + "，" + p.status_zh);
    }
    var marker = L.circleMarker(shape.getBounds().getCenter(), style(shape.feature));
    marker.setRadius(6);
    describe(shape.feature, marker);
    marker.on("add", function () {
      var dot = marker.getElement();
      dot.classList.add("parcel-marker");
      dot.setAttribute("data-number", p.number);
    });
    markers.addLayer(marker);
  });
  var DETAIL_ZOOM = 15;
  function showMarkers() {
    if (map.getZoom() < DETAIL_ZOOM) { markers.addTo(map); } else { markers.remove(); }
  }
  map.on("zoomend", showMarkers);
  showMarkers();
  // 在图上定位: a list row's button brings its parcel into view on the map
  document.querySelectorAll("button.locate[data-number]").forEach(function (button) {
    button.hidden = !byNumber[button.getAttribute("data-number")];
    button.addEventListener("click", function () {
      var shape = byNumber[button.getAttribute("data-number")];
      element.scrollIntoView({ block: "center" });
      map.fitBounds(shape.getBounds(), { padding: [40, 40], maxZoom: 17, animate: false });
      shape.openPopup();
    });
  });
  element.setAttribute("data-ready", "true");
})();
