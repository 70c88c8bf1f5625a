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

  /* Lookups (select[data-lookup-url], qms/core/lookups.py): the select holds only the chosen option(s);
     a search box above it asks the server for matches and offers them in the select. */
  function enhanceLookups(root) {
    root.querySelectorAll('select[data-lookup-url]:not([data-lookup-ready])').forEach(function (select) {
      select.setAttribute('data-lookup-ready', '');
      var box = document.createElement('input');
      box.type = 'text';
      box.autocomplete = 'off';
      box.className = 'form-control form-control-sm mb-1';
      box.placeholder = select.getAttribute('data-lookup-placeholder') || 'Type to search…';
      box.setAttribute('aria-controls', select.id);
      var label = select.id && root.querySelector('label[for="' + select.id + '"]');
      box.setAttribute('aria-label', 'Search: ' + (label ? label.textContent.trim() : select.name));
      box.setAttribute('data-lookup-search', select.name);
      var status = document.createElement('div');
      status.className = 'form-text';
      status.setAttribute('aria-live', 'polite');
      select.parentNode.insertBefore(box, select);
      select.parentNode.insertBefore(status, select.nextSibling);
      var timer = null;
      var loaded = null;
      function search() {
        var query = box.value.trim();
        if (loaded === query) { return; }
        loaded = query;
        fetch(select.getAttribute('data-lookup-url') + '?q=' + encodeURIComponent(query),
              {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
          .then(function (response) {
            if (!response.ok) { throw new Error(response.status); }
            return response.json();
          })
          .then(function (data) {
            if (box.value.trim() !== query) { return; }
            var keep = {};
            Array.prototype.slice.call(select.options).forEach(function (option) {
              if (option.selected || option.value === '') { keep[option.value] = true; } else { option.remove(); }
            });
            data.results.forEach(function (item) {
              if (!keep[item.id]) { select.add(new Option(item.text, item.id)); }
            });
            var count = data.results.length;
            status.textContent = count === 0 ? 'No matches.' :
              data.more ? count + '+ matches: type more to narrow them.' :
              count === 1 ? '1 match: choose it below.' : count + ' matches: choose below.';
          })
          .catch(function () { loaded = null; status.textContent = 'The search failed; try again.'; });
      }
      box.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 250); });
      box.addEventListener('focus', search);
      /* The box has no name and is not part of the filters: its own change must not submit them. */
      box.addEventListener('change', function (event) { event.stopPropagation(); });
      box.addEventListener('keydown', function (event) {
        if (event.key === 'Enter') { event.preventDefault(); clearTimeout(timer); search(); }
        if (event.key === 'ArrowDown') { event.preventDefault(); select.focus(); }
      });
    });
  }

  focusErrorSummary(document);
  styleFilterWidgets(document);
  enhanceLookups(document);

  /* The result count is announced from a live region outside the swapped area: one that arrives
     inside new content is not read out. */
  document.body.addEventListener('htmx:load', function () { enhanceLookups(document); });

  document.body.addEventListener('htmx:afterSwap', function (event) {
    if (event.detail.target.id !== 'results') { return; }
    var status = document.getElementById('results-status');
    if (!status) { return; }
    var count = document.getElementById('results-count');
    status.textContent = count ? count.textContent.trim() : '';
  });
}());
