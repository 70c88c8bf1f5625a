/* A risk's score history (inherent, target, residual) as stepped lines, from json_script "score-data";
   the same scorings are in the table under the chart. */
(function () {
  'use strict';
  var source = document.getElementById('score-data');
  var canvas = document.getElementById('score-chart');
  if (!source || !canvas || typeof window.Chart === 'undefined') { return; }
  var data = JSON.parse(source.textContent);
  var styles = {
    inherent: {label: 'Inherent', color: '#c62828', dash: [], point: 'circle'},
    target: {label: 'Target', color: '#6c757d', dash: [2, 4], point: 'triangle'},
    residual: {label: 'Residual', color: '#0d6efd', dash: [6, 4], point: 'rectRot'}
  };
  var datasets = Object.keys(styles).filter(function (kind) {
    return data.series[kind].some(function (value) { return value !== null; });
  }).map(function (kind) {
    var style = styles[kind];
    return {label: style.label, data: data.series[kind], borderColor: style.color, backgroundColor: style.color,
            borderDash: style.dash, pointStyle: style.point, pointRadius: 5, stepped: 'before', spanGaps: false};
  });
  new window.Chart(canvas, {
    type: 'line',
    data: {labels: data.labels, datasets: datasets},
    options: {maintainAspectRatio: false, animation: false,
              scales: {y: {beginAtZero: true, title: {display: true, text: 'Score'}, ticks: {precision: 0}}}}
  });
}());
