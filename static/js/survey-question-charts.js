/* A campaign's per-question answer charts: each canvas.question-chart names (data-source) the
   json_script element holding its labels and counts; the same figures are in a table below each. */
(function () {
  'use strict';
  if (typeof window.Chart === 'undefined') { return; }
  document.querySelectorAll('canvas.question-chart').forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: 'bar',
      data: {labels: data.labels, datasets: [{label: 'Responses', data: data.counts, backgroundColor: 'rgba(13, 110, 253, 0.7)'}]},
      options: {maintainAspectRatio: false, animation: false, plugins: {legend: {display: false}},
                scales: {y: {beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: 'Responses'}}}}
    });
  });
}());
