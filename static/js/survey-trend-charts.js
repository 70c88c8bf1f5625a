/* NPS, CSAT and response rate per period on the survey results page, from json_script
   "survey-chart-data"; the same figures are in the tables on the page. */
(function () {
  'use strict';
  var source = document.getElementById('survey-chart-data');
  if (!source || typeof window.Chart === 'undefined') { return; }
  var d = JSON.parse(source.textContent);
  function line(id, label, values, min, max, colour, dash) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new window.Chart(canvas, {
      type: 'line',
      data: {labels: d.labels, datasets: [{label: label, data: values, borderColor: colour, backgroundColor: colour,
             borderDash: dash, spanGaps: true, pointRadius: 4}]},
      options: {maintainAspectRatio: false, animation: false, plugins: {legend: {display: false}},
                scales: {y: {min: min, max: max, ticks: {stepSize: (max - min) / 4}, title: {display: true, text: label}}}}
    });
  }
  line('nps-chart', 'NPS', d.nps, -100, 100, '#0d6efd', []);
  line('csat-chart', 'CSAT %', d.csat, 0, 100, '#198754', [6, 4]);
  var rate = document.getElementById('rate-chart');
  if (rate) {
    new window.Chart(rate, {
      type: 'bar',
      data: {labels: d.labels, datasets: [{label: 'Response rate %', data: d.rate, backgroundColor: 'rgba(108, 117, 125, 0.7)'}]},
      options: {maintainAspectRatio: false, animation: false, plugins: {legend: {display: false}},
                scales: {y: {min: 0, max: 100, title: {display: true, text: 'Response rate %'}}}}
    });
  }
}());
