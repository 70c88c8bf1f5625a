/* Behaviour every portal page may ask for with data- attributes; loaded by the base layouts.
   The Content Security Policy allows no inline script, so templates carry markup and data only. */
(function () {
  'use strict';

  /* An error summary (id="form-errors" data-focus-on-load) takes keyboard and screen-reader focus;
     with data-field-links its links move focus to the field they name instead of only scrolling. */
  function focusErrorSummary(root) {
    var box = root.querySelector('#form-errors[data-focus-on-load]');
    if (!box) { return; }
    box.focus();
    if (!box.hasAttribute('data-field-links')) { return; }
    box.querySelectorAll('a[href^="#"]').forEach(function (link) {
      link.addEventListener('click', function (event) {
        var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
        if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({block: 'center'}); }
      });
    });
  }

  /* Filter forms (data-bootstrap-widgets): Bootstrap's look for django-filter's widgets, no build step. */
  function styleFilterWidgets(root) {
    root.querySelectorAll('form[data-bootstrap-widgets]').forEach(function (form) {
      form.querySelectorAll('select').forEach(function (el) { el.classList.add('form-select'); });
      form.querySelectorAll('input:not([type=search])').forEach(function (el) { el.classList.add('form-control'); });
    });
  }

  focusErrorSummary(document);
  styleFilterWidgets(document);

  /* The result count is announced from a live region outside the swapped area: one that arrives
     inside new content is not read out. */
  document.body.addEventListener('htmx:afterSwap', function (event) {
    if (event.detail.target.id !== 'results') { return; }
    var status = document.getElementById('results-status');
    if (!status) { return; }
    var count = document.getElementById('results-count');
    status.textContent = count ? count.textContent.trim() : '';
  });
}());
