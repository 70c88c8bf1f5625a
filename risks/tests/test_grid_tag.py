# ruff: noqa: E501 - the reference template keeps its lines
"""The matrix grid written in Python (``risk_grid``) gives the markup the template it replaced gave, cell for
cell: the reference below is that template, kept here as the specification."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from risks import selectors

REFERENCE = """
{% load risks %}{# A matrix grid: rows highest likelihood first; ``linked`` cells link to the filtered list and show counts. #}
<div class="table-responsive">
<table class="table table-bordered text-center align-middle risk-grid mb-1" data-testid="grid-{{ grid_id }}">
  <caption class="visually-hidden">{{ caption }}</caption>
  <thead>
    <tr><th scope="col" class="text-start small">Likelihood ↓ / {% if kind == "opportunity" %}benefit{% else %}impact{% endif %} →</th>
      {% for level in impact_levels %}<th scope="col" class="small">{{ forloop.counter }}<br>{{ level.label }}</th>{% endfor %}</tr>
  </thead>
  <tbody>
    {% for row in rows %}
    <tr>
      <th scope="row" class="text-start small">{{ row.level }} {{ row.label }}</th>
      {% for cell in row.cells %}
      <td style="background-color: {{ cell.colour }}; color: {{ cell.colour|contrast }}" class="p-1" data-likelihood="{{ row.level }}" data-impact="{{ cell.impact }}" data-band="{{ cell.band }}"{% if cell.count is not None %} data-count="{{ cell.count }}"{% endif %}>
        {% if linked %}
        <a href="{{ cell.url }}" class="d-block text-reset text-decoration-none py-1" aria-label="{{ cell.count }} {% if kind == 'opportunity' %}opportunit{{ cell.count|pluralize:'y,ies' }}{% else %}risk{{ cell.count|pluralize }}{% endif %} at likelihood {{ row.level }}, impact {{ cell.impact }}, score {{ cell.score }}, {{ cell.band }} band">
          <span class="fs-5 fw-bold d-block cell-count">{{ cell.count }}</span>
          <span class="small">{{ cell.band|title }} · {{ cell.score }}</span>
        </a>
        {% else %}
        <span class="fw-bold d-block">{{ cell.score }}</span><span class="small">{{ cell.band|title }}</span>
        {% endif %}
      </td>
      {% endfor %}
    </tr>
    {% endfor %}
  </tbody>
</table>
</div>
"""


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).replace("> ", ">").replace(" <", "<").strip()


def _rows(matrix, kind, linked):
    counts = {which: [[5, 5, 1], [5, 4, 3], [1, 2, 0]] for which in selectors.HEAT_MAP_WHICHES}
    grid = selectors.heat_maps_from_counts(matrix, counts, kind=kind)["inherent"]
    for row in grid["rows"]:
        for cell in row["cells"]:
            cell["url"] = f"/risks/?kind={kind}&likelihood={row['level']}&impact={cell['impact']}"
    if not linked:
        grid["rows"][1]["cells"][0]["count"] = None  # the matrix page's cells: no count, no data-count
    grid["rows"][2]["label"] = 'Likely <b>"often"</b> & more'
    return grid["rows"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["risk", "opportunity"])
@pytest.mark.parametrize("linked", [True, False])
def test_the_grid_tag_writes_what_the_template_wrote(matrix, kind, linked):
    context = {
        "rows": _rows(matrix, kind, linked),
        "impact_levels": [*matrix.impact_levels[:-1], {"label": "<Severe & lasting>"}],
        "kind": kind,
        "grid_id": "inherent",
        "caption": "Inherent <scores>",
        "linked": linked,
    }
    expected = Template(REFERENCE).render(Context(context))
    written = Template("{% include 'risks/_grid.html' %}").render(Context(context))
    assert "&lt;Severe &amp; lasting&gt;" in written and "&lt;b&gt;&quot;often&quot;&lt;/b&gt;" in written
    assert 'data-count="3"' in written and written.count("data-count=") == (25 if linked else 24)
    assert _squeezed(written) == _squeezed(expected)


@pytest.mark.django_db
def test_the_matrix_pages_grid_has_no_counts(matrix):
    from risks.views.matrix import grid_rows

    context = {
        "rows": grid_rows(matrix),
        "impact_levels": matrix.impact_levels,
        "kind": "risk",
        "grid_id": "matrix",
        "caption": "Scores by likelihood and impact",
        "linked": False,
    }
    expected = Template(REFERENCE).render(Context(context))
    written = Template("{% include 'risks/_grid.html' %}").render(Context(context))
    assert "data-count" not in written and 'data-band="critical"' in written
    assert _squeezed(written) == _squeezed(expected)
