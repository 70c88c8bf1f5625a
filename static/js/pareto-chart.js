/* The complaints Pareto chart on the feedback list: bars per category, a line for the cumulative share.
   Data from json_script "pareto-data"; the same figures are in the table under the chart. */
(function () {
  'use strict';
  var source = document.getElementById('pareto-data');
  var canvas = document.getElementById('pareto-chart');
  if (!source || !canvas || typeof window.Chart === 'undefined') { return; }
  var rows = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    data: {
      labels: rows.map(function (r) { return r.category; }),
      datasets: [
        {type: 'bar', label: 'Complaints', data: rows.map(function (r) { return r.count; }),
         backgroundColor: 'rgba(13, 110, 253, 0.7)', yAxisID: 'y', order: 2},
        {type: 'line', label: 'Cumulative %', data: rows.map(function (r) { return r.cumulative_pct; }),
         borderColor: '#d63384', backgroundColor: '#d63384', pointStyle: 'rectRot', pointRadius: 5,
         borderDash: [6, 4], yAxisID: 'pct', order: 1}
      ]
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: {beginAtZero: true, title: {display: true, text: 'Complaints'}, ticks: {precision: 0}},
        pct: {position: 'right', min: 0, max: 100, title: {display: true, text: 'Cumulative %'},
              grid: {drawOnChartArea: false}, ticks: {callback: function (v) { return v + ' %'; }}}
      }
    }
  });
}());
