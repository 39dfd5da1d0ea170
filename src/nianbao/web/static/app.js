// nianbao web: the little JavaScript the pages need (no framework; htmx does the rest).
"use strict";

// Jump to a table cell named in the URL fragment or clicked in a findings list, and show it.
function nianbaoShowTarget(id) {
  const el = id && document.getElementById(id);
  if (!el) return;
  document.querySelectorAll(".target").forEach((x) => x.classList.remove("target"));
  el.classList.add("target");
  el.scrollIntoView({ block: "center", behavior: "smooth" });
}
window.addEventListener("hashchange", () => nianbaoShowTarget(location.hash.slice(1)));
document.addEventListener("DOMContentLoaded", () => nianbaoShowTarget(location.hash.slice(1)));

// Drag and drop onto any .dropzone fills its file input.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".dropzone").forEach((zone) => {
    const input = zone.querySelector("input[type=file]");
    const names = zone.querySelector(".file-names");
    const show = () => { if (names) names.textContent = Array.from(input.files).map((f) => f.name).join("、"); };
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault(); zone.classList.remove("over");
      input.files = e.dataTransfer.files; show();
    });
    input.addEventListener("change", show);
  });
});

// Draw every chart: <div class="chart" data-figure='{"data": [...], "layout": {...}}'>.
// plotly.js is served by the app itself (/assets/plotly.min.js), never from a CDN.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".chart[data-figure]").forEach((el) => {
    if (!window.Plotly) return;
    const fig = JSON.parse(el.dataset.figure);
    window.Plotly.newPlot(el, fig.data, fig.layout || {}, { displaylogo: false, responsive: true });
  });
});
