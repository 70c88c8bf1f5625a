// Management-review pages: no inline scripts (the Content Security Policy allows only files like this one).
(function () {
  'use strict';

  // Lists: Bootstrap's look for the filter widgets, and the new count read out after an htmx search.
  document.querySelectorAll('form[role=search] select').forEach(function (el) { el.classList.add('form-select'); });
  document.querySelectorAll('form[role=search] input:not([type=search])').forEach(function (el) { el.classList.add('form-control'); });
  document.body.addEventListener('htmx:afterSwap', function (event) {
    if (event.detail.target.id !== 'results') return;
    var count = document.getElementById('results-count');
    var status = document.getElementById('results-status');
    if (status) status.textContent = count ? count.textContent.trim() : '';
  });

  // Forms: take keyboard and screen-reader users straight to what went wrong.
  var summary = document.getElementById('form-errors');
  if (summary) {
    summary.focus();
    summary.querySelectorAll('a').forEach(function (link) {
      link.addEventListener('click', function (event) {
        var field = document.getElementById(link.hash.slice(1));
        if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({block: 'center'}); }
      });
    });
  }
})();
