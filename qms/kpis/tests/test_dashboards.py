"""The dashboard pages, their refresh and PDF: who may see what, the period selector, empty states, the
front-end rules, and query counts that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.tests.factories import CustomerFactory
from feedback.tests.factories import FeedbackItemFactory
from feedback.tests.survey_factories import SurveyResponseFactory
from qms.actions.tests.factories import ActionFactory
from qms.kpis.models import DashboardSnapshot, FigureValue
from qms.kpis.tests.factories import KpiFactory, KpiValueFactory, ObjectiveKpiFactory
from requirements.tests.factories import RequirementFactory
from risks.tests.factories import RiskEntryFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 5, tzinfo=dt.UTC)
DASHBOARD, QUALITY, REFRESH, PDF = (
    "/kpis/dashboard/",
    "/kpis/dashboard/quality/",
    "/kpis/dashboard/refresh/",
    ("/kpis/dashboard/pdf/"),
)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=dt.UTC)


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# Who may see what ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (DASHBOARD, {"quality": 200, "management": 200, "staff": 403, "auditor": 200, "admin": 200}),
        (QUALITY, {"quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200}),
        (PDF + "?view=top", {"quality": 200, "management": 200, "staff": 403, "auditor": 200, "admin": 200}),
        (PDF + "?view=quality", {"quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200}),
        (REFRESH, {"quality": 405, "management": 405, "staff": 405, "auditor": 405, "admin": 405}),
    ],
)
def test_get_per_persona(client_for, personas, url, expected):
    assert {name: client_for(user).get(url).status_code for name, user in personas.items()} == expected


@pytest.mark.parametrize("url", [DASHBOARD, QUALITY, PDF])
def test_anonymous_is_sent_to_sign_in(client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_refresh_is_sent_to_sign_in(client_for):
    response = client_for(None).post(REFRESH)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not DashboardSnapshot.objects.exists()


@pytest.mark.parametrize("persona", ["management", "staff", "auditor"])
def test_only_quality_managers_may_refresh(client_for, personas, persona):
    assert client_for(personas[persona]).post(REFRESH).status_code == 403
    assert not DashboardSnapshot.objects.exists()


def test_quality_manager_refreshes_and_goes_back(client_for, quality, frozen_today):
    client = client_for(quality)
    page(client, DASHBOARD)
    first = DashboardSnapshot.objects.get().computed_at
    FeedbackItemFactory(received_at=at("2026-06-14"))
    frozen_today.shift(dt.timedelta(minutes=1))
    response = client.post(REFRESH, {"next": "/kpis/dashboard/?start=2025-07-01"}, follow=True)
    assert response.redirect_chain == [("/kpis/dashboard/?start=2025-07-01", 302)]
    assert "The figures were recomputed just now." in response.content.decode()
    assert DashboardSnapshot.objects.get().computed_at > first


def test_refresh_never_redirects_to_another_site(client_for, quality):
    response = client_for(quality).post(REFRESH, {"next": "https://evil.example/"})
    assert response["Location"] == QUALITY


def test_staff_do_not_see_the_dashboard_link_but_managers_see_the_quality_link(client_for, management, quality):
    assert QUALITY not in page(client_for(management), DASHBOARD)
    assert QUALITY in page(client_for(quality), DASHBOARD)


def test_only_quality_managers_see_the_refresh_button(client_for, management, auditor, quality):
    assert "Recompute now" not in page(client_for(management), DASHBOARD)
    assert "Recompute now" not in page(client_for(auditor), DASHBOARD)
    assert "Recompute now" in page(client_for(quality), DASHBOARD)


# What the pages show ------------------------------------------------------------------------------


def test_dashboard_shows_the_three_panels_tiles_and_objectives(client_for, management):
    kpi = KpiFactory(name="On-time delivery")
    KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 5, 1), value=Decimal("92"))
    KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 6, 1), value=Decimal("97"))
    link = ObjectiveKpiFactory(kpi=kpi)
    html = page(client_for(management), DASHBOARD)
    for title in ["Customer and statutory requirements", "Risks and opportunities", "Customer satisfaction"]:
        assert title in html
    assert 'data-testid="kpi-tile"' in html
    assert "Green · On target" in html
    assert '<svg class="sparkline"' in html
    assert "On-time delivery trend: May 2026: 92, Jun 2026: 97" in html
    assert link.objective.reference in html
    assert "Work queues" not in html


def test_the_page_says_when_the_figures_were_computed(client_for, management, frozen_today):
    client = client_for(management)
    page(client, DASHBOARD)
    frozen_today.shift(dt.timedelta(minutes=4))
    assert "Figures as of 12:05 on 15 Jun, refreshed every 10 minutes." in page(client, DASHBOARD)


def test_quality_dashboard_shows_the_work_queues(client_for, quality):
    ActionFactory(title="Retrain the dispatch team", due_date=dt.date(2026, 6, 1))
    html = page(client_for(quality), QUALITY)
    assert "Work queues" in html
    assert "Retrain the dispatch team" in html
    assert "/actions/?overdue=true" in html


def test_complaint_trend_table_links_each_month_to_its_complaints(client_for, management):
    FeedbackItemFactory(received_at=at("2026-05-04"))
    html = page(client_for(management), DASHBOARD)
    assert 'href="/feedback/?kind=complaint&amp;received_after=2026-05-01&amp;received_before=2026-05-31"' in html
    assert '<details class="chart-data' in html
    assert 'id="scorecard-trends" type="application/json"' in html
    assert 'id="chart-complaints"' in html


def test_no_inline_script_or_event_handler(client_for, quality):
    FeedbackItemFactory(received_at=at("2026-05-04"))
    KpiValueFactory()
    html = page(client_for(quality), QUALITY)
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)
    assert "/static/js/dashboard.js" in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html


def test_empty_states_say_what_to_do(client_for, management):
    html = page(client_for(management), DASHBOARD)
    assert "No KPIs are defined yet." in html
    assert "No complaints or survey answers were recorded" in html
    assert "No quality objectives are recorded yet." in html
    assert "chart-complaints" not in html


def test_empty_states_link_quality_managers_to_the_forms(client_for, quality):
    html = page(client_for(quality), DASHBOARD)
    assert '<a href="/kpis/new/">Define the first KPI</a>' in html
    assert '<a href="/kpis/objectives/new/">Set the first objective</a>' in html


def test_empty_states_do_not_offer_forms_to_top_management(client_for, management):
    html = page(client_for(management), DASHBOARD)
    assert "/kpis/new/" not in html
    assert "The quality manager defines them" in html


def test_empty_queues_say_nothing_is_waiting(client_for, quality):
    assert "No action is overdue." in page(client_for(quality), QUALITY)


# Period and filters -------------------------------------------------------------------------------


def test_default_period_is_the_last_twelve_months(client_for, management):
    page(client_for(management), DASHBOARD)
    assert DashboardSnapshot.objects.get().params["start"] == "2025-07-01"


def test_presets_and_chosen_dates(client_for, management):
    html = page(client_for(management), DASHBOARD, start="2026-04-01", end="2026-06-15")
    assert "1 Apr 2026 to 15 Jun 2026" in html
    assert 'aria-current="true">Last 3 months' in html
    assert "?start=2026-01-01&amp;end=2026-06-15" in html  # last 6 months


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-01"}, "From: Enter a valid date."),
        ({"end": "yesterday"}, "To: Enter a valid date."),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "To: The end date is before the start date"),
        ({"end": "2027-01-01"}, "To: The end date is in the future"),
        ({"start": "0001-01-01", "end": "2026-06-01"}, "From: The range is longer than 10 years"),
        ({"segment": "galactic"}, "Customer segment: Select a valid choice."),
    ],
)
def test_bad_parameters_are_named_and_defaults_used(client_for, management, params, message):
    html = page(client_for(management), DASHBOARD, **params)
    assert message in html
    assert "The last 12 months are shown instead." in html
    assert "1 Jul 2025 to 15 Jun 2026" in html


def test_start_after_today_falls_back_to_the_default(client_for, management):
    html = page(client_for(management), DASHBOARD, start="2026-06-20")
    assert "From: the start date is after today" in html


def test_segment_filter_counts_its_complaints_and_names_the_figures_it_does_not_touch(client_for, management):
    FeedbackItemFactory(received_at=at("2026-05-04"), customer=CustomerFactory(segment="public"))
    FeedbackItemFactory(received_at=at("2026-05-05"), customer=CustomerFactory(segment="enterprise"))
    html = page(client_for(management), DASHBOARD, segment="public")
    assert "The segment and product filters do not apply to:" in html
    assert "Requirements met" in html.split('data-testid="unfiltered"')[1].split("</p>")[0]
    data = DashboardSnapshot.objects.get().data
    complaints = next(
        row for panel in data["panels"] for row in panel["figures"] if row["key"] == "complaints_received"
    )
    assert complaints["value"] == 1.0
    assert '<option value="public" selected>Public sector</option>' in html


# PDF ----------------------------------------------------------------------------------------------


def test_pdf_is_an_a4_attachment_named_for_today(client_for, auditor):
    FeedbackItemFactory(received_at=at("2026-05-04"))
    KpiValueFactory(kpi=KpiFactory(), period_start=dt.date(2026, 5, 1))
    response = client_for(auditor).get(PDF, {"view": "top", "start": "2026-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="customer-focus-scorecard-2026-06-15.pdf"'
    assert response.content.startswith(b"%PDF")


def test_pdf_fetches_only_our_static_files():
    from qms.kpis.pdf import StaticFilesFetcher

    fetcher = StaticFilesFetcher("http://testserver/")
    assert fetcher.fetch("http://testserver/static/css/print.css").read().startswith(b"/* Printing")
    for url in [
        "https://cdn.example.com/static/css/print.css",
        "http://testserver/media/secret.pdf",
        "file:///etc/passwd",
        "http://testserver/static/../../etc/passwd",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


# Query counts -------------------------------------------------------------------------------------


def grow(times: int) -> None:
    for index in range(times):
        day = ["2026-04-10", "2026-05-10", "2026-06-10"][index % 3]
        FeedbackItemFactory(received_at=at(day), resolve_due_at=at("2026-06-14"), status="acknowledged")
        SurveyResponseFactory(nps_score=index % 11, csat_score=index % 5 + 1, submitted_at=at(day))
        RequirementFactory(next_review_date=dt.date(2026, 6, 1))
        RiskEntryFactory(inherent_band="high", next_review_date=dt.date(2026, 6, 1))
        ActionFactory(due_date=dt.date(2026, 6, 1))
        kpi = KpiFactory()
        KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 5, 1))
        ObjectiveKpiFactory(kpi=kpi)


def cold_page_queries(client, url: str) -> int:
    DashboardSnapshot.objects.all().delete()
    FigureValue.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"start": "2026-04-01"}).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("url", "budget"), [(DASHBOARD, 55), (QUALITY, 65)])
def test_page_query_count_does_not_grow_with_the_data(client_for, quality, url, budget):
    """Cold (no snapshot, no stored months) for three months: the same count for 2 and 20 of everything."""
    client = client_for(quality)
    grow(2)
    client.get(url)  # warm Django's own caches (content types, permissions)
    small = cold_page_queries(client, url)
    grow(18)
    assert cold_page_queries(client, url) == small <= budget


def test_a_young_snapshot_serves_the_page_in_few_queries(client_for, management, django_assert_max_num_queries):
    client = client_for(management)
    grow(3)
    client.get(DASHBOARD)
    with django_assert_max_num_queries(12):
        assert client.get(DASHBOARD).status_code == 200


# Server-rendered charts ---------------------------------------------------------------------------


def test_sparkline_is_an_svg_with_every_point_in_words():
    from qms.kpis.templatetags.kpi_charts import sparkline

    svg = sparkline([{"label": "May 2026", "value": 91.0}, {"label": "Jun 2026", "value": 97.5}], "green", name="OTD")
    assert svg.startswith('<svg class="sparkline"')
    assert 'aria-label="OTD trend: May 2026: 91, Jun 2026: 97.5"' in svg
    assert "<polyline" in svg


def test_sparkline_with_one_value_says_there_is_no_trend_yet():
    from qms.kpis.templatetags.kpi_charts import sparkline

    assert "Not enough values for a trend yet." in sparkline([{"label": "May 2026", "value": 91.0}])


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(None, "%", "—"), (66.7, "%", "66.7%"), (12.0, "", "12"), (1250.0, "orders", "1,250 orders")],
)
def test_figures_are_written_as_people_write_them(value, unit, text):
    from qms.kpis.templatetags.kpi_charts import figure

    assert figure(value, unit) == text


def test_badges_say_their_status_in_words():
    from qms.kpis.templatetags.kpi_charts import rag_badge

    assert ">Red · Off target</span>" in rag_badge("red", "Off target")
    assert ">No data</span>" in rag_badge("none", "No data")
