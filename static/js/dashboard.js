/* The dashboards' charts (Chart.js), drawn from the data the page passes with json_script, and printing
   with the charts' tables open. No inline scripts: the page only carries data. */
(function () {
  'use strict';

  function readTrends() {
    var node = document.getElementById('scorecard-trends');
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (error) { return null; }
  }

  function drawCharts(trends) {
    if (typeof window.Chart === 'undefined' || !trends || !trends.months.length) { return; }
    var labels = trends.months.map(function (row) { return row.label; });
    var complaints = document.getElementById('chart-complaints');
    if (complaints) {
      new window.Chart(complaints, {
        type: 'bar',
        data: {
          labels: labels,
          datasets: [{
            label: 'Complaints received',
            data: trends.months.map(function (row) { return row.complaints_received; }),
            backgroundColor: '#0a58ca'
          }]
        },
        options: {
          responsive: true,
          animation: false,
          aspectRatio: 2.4,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
          plugins: { legend: { display: false } }
        }
      });
    }
    var satisfaction = document.getElementById('chart-satisfaction');
    if (satisfaction) {
      new window.Chart(satisfaction, {
        type: 'line',
        data: {
          labels: labels,
          datasets: [
            {
              label: 'NPS (−100 to +100)',
              data: trends.months.map(function (row) { return row.nps; }),
              borderColor: '#6f42c1', backgroundColor: '#6f42c1', spanGaps: true
            },
            {
              label: 'CSAT %',
              data: trends.months.map(function (row) { return row.csat_pct; }),
              borderColor: '#198754', backgroundColor: '#198754', borderDash: [6, 3], spanGaps: true
            }
          ]
        },
        options: { responsive: true, animation: false, aspectRatio: 2.4, scales: { y: { suggestedMin: -100, suggestedMax: 100 } } }
      });
    }
  }

  // Print the data behind the charts: open the tables for printing, close again afterwards.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details.chart-data:not([open])').forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });

  drawCharts(readTrends());
}());
