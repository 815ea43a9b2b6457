// Report charts: each <canvas data-chart="id"> is drawn from the JSON in its data-chart-json
// attribute or in the script element of that id: the numbers of the table printed below it.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;

  var PALETTE = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"];

  // A canvas holds one chart: one drawn before (the page's first draw, then an htmx swap that
  // settles the same canvas again) is destroyed first, or Chart.js refuses the canvas.
  function destroy(canvas) {
    var chart = Chart.getChart(canvas);
    if (chart) chart.destroy();
  }

  function draw(canvas) {
    // The numbers ride on the canvas (data-chart-json) where htmx may swap it in, since htmx
    // drops script elements; elsewhere they are in the script element the canvas names.
    var json = canvas.getAttribute("data-chart-json");
    var source = json ? null : document.getElementById(canvas.getAttribute("data-chart"));
    if (!json && !source) return;
    var data = JSON.parse(json || source.textContent);
    var line = data.kind === "line";
    destroy(canvas);
    new Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          var colour = PALETTE[index % PALETTE.length];
          return {
            label: series.label,
            data: series.values,
            backgroundColor: colour,
            borderColor: colour,
            spanGaps: true,
          };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: data.horizontal ? "y" : "x",
        scales: {
          x: { stacked: data.kind === "stacked" },
          y: { stacked: data.kind === "stacked", beginAtZero: true },
        },
        plugins: { legend: { display: data.series.length > 1 } },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
  // Canvases an htmx swap takes out of the page let go of their charts, which Chart.js would
  // otherwise keep (and resize before printing) for ever.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    if (event.target.matches && event.target.matches("canvas[data-chart]")) destroy(event.target);
  });
  // Charts are redrawn at the paper's width before printing.
  window.addEventListener("beforeprint", function () {
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
