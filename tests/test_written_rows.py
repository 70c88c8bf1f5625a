# ruff: noqa: E501 - the reference templates keep their lines
"""The list rows written in Python (``row_cells``) give the markup the row templates they replaced gave, row
for row, on the demo data set with awkward values added: the references below are those templates, kept here
as the specification."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template import Context, Template
from django.utils import timezone

from feedback.models import FeedbackItem
from qms.audit.context import audit_context
from risks.models import RiskEntry

FEEDBACK_ROW = """
{% load portal feedback_badges %}{% with item=obj %}
      <td class="text-nowrap"><a href="{{ item.get_absolute_url }}">{{ item.reference }}</a></td>
      <td class="text-nowrap">{% cell item "received_at" %}</td>
      <td>{{ item.get_kind_display }}</td>
      <td>{{ item.summary }}</td>
      <td>{{ item.customer|default:"—" }}</td>
      <td>{% status_badge item %}</td>
      <td>{% if item.is_complaint %}{% severity_badge item %}{% else %}—{% endif %}</td>
      <td>{{ item.assignee.display_name|default:"—" }}</td>
      <td class="text-nowrap">{% if item.next_due_at %}{% cell item "next_due_at" %}{% endif %}
        {% if item.due_label == "Overdue" %}<span class="badge text-bg-danger">Overdue</span>{% elif item.due_label == "Paused" %}<span class="badge text-bg-light border">Paused: waiting on the customer</span>{% elif not item.next_due_at %}—{% endif %}</td>
{% endwith %}
"""

RISK_ROW = """
{% load portal risks %}{% with entry=obj %}
      <td class="text-nowrap"><a href="{{ entry.get_absolute_url }}">{{ entry.reference }}</a></td>
      <td>{{ entry.title }}</td>
      <td>{{ entry.get_kind_display }}</td>
      <td>{{ entry.category|default:"—" }}</td>
      <td>{{ entry.owner.display_name }}</td>
      <td>{% status_badge entry %}</td>
      <td class="text-nowrap">{% band_badge entry.inherent_band entry.inherent_score %}</td>
      <td class="text-nowrap">{% band_badge entry.residual_band entry.residual_score %}</td>
      <td class="text-nowrap">{{ entry.next_review_date|date:"Y-m-d"|default:"—" }}{% if entry.next_review_date and entry.next_review_date < today and entry.status != "closed" %} <span class="badge text-bg-danger">Overdue</span>{% endif %}</td>
{% endwith %}
"""


def _normalised(html: str) -> str:
    """Whitespace as a browser reads it in a table: runs are one space, none around rows and cells."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(</?t[rd][^>]*>)\s*", r"\1", html).strip()


@pytest.fixture
def quality(db):
    call_command("seed_demo", stdout=io.StringIO())
    now = timezone.now()
    with audit_context(source="cli"):
        items = list(FeedbackItem.objects.order_by("pk"))
        FeedbackItem.objects.filter(pk=items[0].pk).update(summary='Late <b>"delivery"</b> & more', assignee=None)
        FeedbackItem.objects.filter(pk=items[1].pk).update(paused_since=now)
        FeedbackItem.objects.filter(pk=items[2].pk).update(customer=None)
        entries = list(RiskEntry.objects.order_by("pk"))
        RiskEntry.objects.filter(pk=entries[0].pk).update(title="Supplier <i>&</i> 'single source'", category=None)
        RiskEntry.objects.filter(pk=entries[1].pk).update(next_review_date=now.date() - dt.timedelta(days=3))
        RiskEntry.objects.filter(pk=entries[2].pk).update(next_review_date=None)
    return get_user_model().objects.get(username="quality")


@pytest.mark.parametrize(("url", "reference"), [("/feedback/", FEEDBACK_ROW), ("/risks/", RISK_ROW)])
def test_written_rows_are_the_row_templates_markup(quality, client, url, reference):
    client.force_login(quality)
    response = client.get(url, {"sort": "reference"})
    assert response.status_code == 200
    context = Context(response.context[0].flatten())
    rows = list(context["object_list"])
    assert len(rows) >= 5
    written = Template("{% load portal %}{% written_rows object_list %}").render(context)
    expected = Template("{% for obj in object_list %}<tr>" + reference + "</tr>{% endfor %}").render(context)
    assert _normalised(written) == _normalised(expected)
    assert _normalised(written) in _normalised(response.content.decode())
    # The awkward values are there, escaped, and the states that add a badge or a dash.
    for snippet in SHOWN[url]:
        assert snippet in written, snippet


SHOWN = {
    "/feedback/": [
        "&lt;b&gt;&quot;delivery&quot;&lt;/b&gt; &amp; more",
        "Paused: waiting on the customer",
        "<td>—</td>",
    ],
    "/risks/": ["&lt;i&gt;&amp;&lt;/i&gt; &#x27;single source&#x27;", 'text-bg-danger">Overdue', "<td>—</td>"],
}


def _by_register_rows(view) -> bool:
    return view.row_cells is None and not getattr(view, "row_template", None)


def _register_list_paths():
    """Every list page built on RegisterListView whose rows ``register_rows`` writes (no row maker of its own)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from qms.core.views import RegisterListView

    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                path = prefix + str(pattern.pattern)
                if view and issubclass(view, RegisterListView) and _by_register_rows(view) and "<" not in path:
                    found.append("/" + path.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted(found)


def test_register_rows_write_what_cell_value_reads_on_every_list(quality, client):
    """``register_rows`` looks each column's field up once per model; every cell of every such list is what
    ``cell_value`` gives it, on the demo data set."""
    from django.utils.html import escape

    from qms.core.templatetags.portal import cell_value, register_rows

    client.force_login(quality)
    paths = _register_list_paths()
    assert {"/customers/", "/requirements/", "/actions/", "/audit/"} <= set(paths)
    written = 0
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        rows, columns = list(response.context["object_list"]), response.context["columns"]
        expected = []
        for obj in rows:
            cells = [escape(cell_value(obj, attribute)) for attribute, _ in columns]
            cells[0] = f'<a href="{escape(obj.get_absolute_url())}">{cells[0]}</a>'
            expected.append(
                "<tr>"
                + "".join(
                    f'<td class="text-nowrap">{cell}</td>' if position == 0 else f"<td>{cell}</td>"
                    for position, cell in enumerate(cells)
                )
                + "</tr>"
            )
        assert register_rows(rows, columns) == "\n".join(expected), path
        written += len(rows) * len(columns)
    assert written > 500
