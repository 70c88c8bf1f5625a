/* The line chart of one KPI's values against its target (dashed) and warning threshold (dotted).
   Data comes from the page's json_script element #kpi-chart-data; the same numbers are in the table
   beside the chart, so the page reads the same without JavaScript. No inline script: CSP friendly. */
(function () {
  'use strict';

  function draw() {
    var canvas = document.getElementById('kpi-chart');
    var source = document.getElementById('kpi-chart-data');
    if (!canvas || !source || typeof window.Chart === 'undefined') return;
    var data = JSON.parse(source.textContent);
    var flat = function (value) { return data.labels.map(function () { return value; }); };
    var datasets = [{
      label: data.name + (data.unit ? ' (' + data.unit + ')' : ''),
      data: data.values,
      borderColor: '#0d6efd',
      backgroundColor: '#0d6efd',
      spanGaps: false,
      tension: 0
    }];
    if (data.target !== null) {
      datasets.push({
        label: 'Target', data: flat(data.target), borderColor: '#198754', borderDash: [8, 4],
        pointRadius: 0, fill: false
      });
    }
    if (data.warning !== null) {
      datasets.push({
        label: 'Warning threshold', data: flat(data.warning), borderColor: '#fd7e14', borderDash: [2, 3],
        pointRadius: 0, fill: false
      });
    }
    new window.Chart(canvas, {
      type: 'line',
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        aspectRatio: 2.5,
        animation: false,
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { title: { display: !!data.unit, text: data.unit } } }
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', draw);
  } else {
    draw();
  }
})();
