"""The customer-focus scorecard: figures against hand-counted data, panel status in both directions, the
monthly cache of closed months, snapshot reuse and refresh, and a query count that does not grow with
the data."""

from __future__ import annotations

import datetime as dt
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
from qms.kpis.scorecard import build_scorecard, refresh_default, scorecard
from qms.kpis.tasks import refresh_dashboard
from qms.kpis.tests.factories import ComputedKpiFactory, KpiFactory, KpiValueFactory, ObjectiveKpiFactory
from requirements.tests.factories import EvaluationFactory, RequirementFactory
from risks.tests.factories import RiskEntryFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
RANGE = {"start": dt.date(2026, 4, 1), "end": dt.date(2026, 6, 15)}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=dt.UTC)


def complaint(day: str, **kwargs):
    return FeedbackItemFactory(received_at=at(day), **kwargs)


def answer(day: str, *, nps=None, csat=None, **kwargs):
    return SurveyResponseFactory(nps_score=nps, csat_score=csat, submitted_at=at(day), **kwargs)


def requirement(result: str):
    item = RequirementFactory()
    EvaluationFactory(requirement=item, result=result, evaluated_on=dt.date(2026, 5, 1))
    return item


@pytest.fixture
def hand_counted():
    """2 complaints in April, 3 in May, 1 in June; in May NPS answers 10, 9, 3, 7 (2 promoters, 1 detractor
    of 4: NPS 25) and CSAT 5, 4, 2 (2 of 3 satisfied: 66.7 %); 3 of 4 requirements met (75 %)."""
    for day in ["2026-04-03", "2026-04-20", "2026-05-02", "2026-05-15", "2026-05-31", "2026-06-10"]:
        complaint(day)
    for score in [10, 9, 3, 7]:
        answer("2026-05-12", nps=score)
    for score in [5, 4, 2]:
        answer("2026-05-13", csat=score)
    for result in ["met", "met", "met", "not_met"]:
        requirement(result)


def panel(data, key):
    return next(panel for panel in data["panels"] if panel["key"] == key)


def figure(data, key):
    return next(row for panel in data["panels"] for row in panel["figures"] if row["key"] == key)


def month(data, iso):
    return next(row for row in data["trends"]["months"] if row["month"] == iso)


def test_figures_match_hand_counted_data(hand_counted):
    data = build_scorecard(**RANGE)
    assert figure(data, "complaints_received")["value"] == 6.0
    assert figure(data, "nps")["value"] == 25.0
    assert figure(data, "csat_pct")["value"] == 66.7
    assert figure(data, "requirements_met_pct")["value"] == 75.0
    assert [month(data, iso)["complaints_received"] for iso in ["2026-04-01", "2026-05-01", "2026-06-01"]] == [2, 3, 1]
    assert month(data, "2026-05-01")["nps"] == 25.0
    assert month(data, "2026-04-01")["nps"] is None


def test_the_result_is_json_ready(hand_counted):
    import json

    data = build_scorecard(**RANGE)
    assert json.loads(json.dumps(data)) == data
    assert data["params"] == {"start": "2026-04-01", "end": "2026-06-15", "segment": "", "product": ""}


def test_three_panels_in_clause_order(hand_counted):
    data = build_scorecard(**RANGE)
    assert [(panel["clause"], panel["title"]) for panel in data["panels"]] == [
        ("5.1.2 a)", "Customer and statutory requirements"),
        ("5.1.2 b)", "Risks and opportunities"),
        ("5.1.2 c)", "Customer satisfaction"),
    ]


def test_default_target_gives_the_status_without_a_kpi(hand_counted):
    row = figure(build_scorecard(**RANGE), "requirements_met_pct")
    # 75 % is under both the default target (95) and warning (85): red.
    assert (row["target"], row["warning"], row["target_source"], row["status"]) == (95.0, 85.0, "default", "red")


@pytest.mark.parametrize(
    ("target", "warning", "status"),
    [("70", "60", "green"), ("80", "70", "amber"), ("90", None, "red")],
)
def test_a_kpi_on_a_higher_is_better_figure_sets_its_status(hand_counted, target, warning, status):
    """Requirements met is 75 %."""
    KpiFactory(
        source="computed",
        figure="requirements_met_pct",
        direction="higher",
        target=Decimal(target),
        warning_threshold=None if warning is None else Decimal(warning),
    )
    row = figure(build_scorecard(**RANGE), "requirements_met_pct")
    assert (row["target_source"], row["status"]) == ("kpi", status)


@pytest.mark.parametrize(
    ("target", "warning", "status"),
    [("2", "3", "green"), ("1", "3", "amber"), ("1", "1.5", "red")],
)
def test_a_kpi_on_a_lower_is_better_figure_sets_its_status(hand_counted, target, warning, status):
    # 6 complaints over three months: 2 a month on average, compared with the monthly target.
    ComputedKpiFactory(figure="complaints_received", target=Decimal(target), warning_threshold=Decimal(warning))
    row = figure(build_scorecard(**RANGE), "complaints_received")
    assert (row["value"], row["per_period"], row["period_name"]) == (6.0, 2.0, "month")
    assert (row["direction"], row["status"]) == ("lower", status)


def test_a_quarterly_count_kpi_compares_the_average_per_quarter(hand_counted):
    ComputedKpiFactory(figure="complaints_received", frequency="quarterly", target=Decimal("6"), warning_threshold=None)
    row = figure(build_scorecard(**RANGE), "complaints_received")
    assert (row["per_period"], row["period_name"], row["status"]) == (6.0, "quarter", "green")


def test_an_inactive_or_filtered_kpi_does_not_set_the_status(hand_counted):
    ComputedKpiFactory(figure="complaints_received", target=Decimal("1"), warning_threshold=None, active=False)
    ComputedKpiFactory(figure="complaints_received", target=Decimal("1"), warning_threshold=None, product="Pumps")
    assert figure(build_scorecard(**RANGE), "complaints_received")["target_source"] == "default"


def test_panel_status_is_its_worst_figure(hand_counted):
    # Satisfaction: complaints 6 (default ≤ 10: green), NPS 25 (default ≥ 30, amber from 0), CSAT 66.7
    # (≥ 85, amber from 75: red) → red.
    data = build_scorecard(**RANGE)
    assert figure(data, "nps")["status"] == "amber"
    assert panel(data, "satisfaction")["status"] == "red"


def test_panel_without_any_measured_figure_has_no_status():
    data = build_scorecard(**RANGE)
    assert panel(data, "requirements")["figures"][0]["status"] == "none"
    # Overdue evaluations count 0 against a target of 0: green, so the panel is green, not "none".
    assert panel(data, "requirements")["status"] == "green"


def test_risk_panel_counts_open_risks_per_band():
    RiskEntryFactory(inherent_band="high")
    RiskEntryFactory(inherent_band="critical", residual_band="medium")
    RiskEntryFactory(inherent_band="critical")
    RiskEntryFactory(inherent_band="critical", status="closed")
    data = build_scorecard(**RANGE)
    bands = {row["band"]: row["count"] for row in panel(data, "risks")["extras"][0]["rows"]}
    assert bands == {"critical": 1, "high": 1, "medium": 1, "low": 0}
    assert figure(data, "open_high_critical_risks")["value"] == 2.0


def test_segment_filter_applies_to_complaints_and_names_the_figures_it_does_not_apply_to(hand_counted):
    complaint("2026-05-20", customer=CustomerFactory(segment="public"))
    data = build_scorecard(**RANGE, segment="public")
    assert figure(data, "complaints_received")["value"] == 1.0
    assert "Requirements met" in data["unfiltered"]
    assert "Complaints received" not in data["unfiltered"]
    assert build_scorecard(**RANGE)["unfiltered"] == []


def test_closed_months_are_read_from_the_cache_and_the_current_month_live(hand_counted):
    build_scorecard(**RANGE)
    assert FigureValue.objects.filter(figure="complaints_received", closed=True).count() == 2  # April, May
    assert not FigureValue.objects.filter(month=dt.date(2026, 6, 1)).exists()
    complaint("2026-04-25")  # recorded late, in a closed month
    complaint("2026-06-11")
    data = build_scorecard(**RANGE)
    assert month(data, "2026-04-01")["complaints_received"] == 2  # the stored closed month stays
    assert month(data, "2026-06-01")["complaints_received"] == 2  # the current month is live
    assert month(data, "2026-06-01")["closed"] is False


def test_each_month_links_to_its_complaints(hand_counted):
    url = month(build_scorecard(**RANGE), "2026-05-01")["complaints_url"]
    assert url == "/feedback/?kind=complaint&received_after=2026-05-01&received_before=2026-05-31"


def test_kpi_tiles_carry_status_and_sparkline_points():
    kpi = KpiFactory(name="On-time delivery")
    KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 4, 1), value=Decimal("97"))
    KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 5, 1), value=Decimal("91"))
    KpiFactory(name="Retired", active=False)
    (tile,) = build_scorecard(**RANGE)["kpis"]
    assert (tile["name"], tile["value"], tile["target"], tile["status"]) == ("On-time delivery", 91.0, 95.0, "amber")
    assert [point["value"] for point in tile["points"]] == [97.0, 91.0]
    assert tile["period"] == "May 2026"


def test_objectives_carry_their_status():
    kpi = KpiFactory()
    KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 5, 1), value=Decimal("80"))
    link = ObjectiveKpiFactory(kpi=kpi)
    (objective,) = build_scorecard(**RANGE)["objectives"]
    assert objective["reference"] == link.objective.reference
    assert (objective["status"], objective["status_label"]) == ("off_track", "Off track")
    assert objective["measures"][0]["status"] == "red"


def test_snapshot_is_reused_while_young_and_rebuilt_when_old(hand_counted, frozen_today, settings):
    settings.KPI_DASHBOARD_MAX_AGE = 600
    first = scorecard(**RANGE)
    complaint("2026-06-12")
    frozen_today.shift(dt.timedelta(seconds=599))
    again = scorecard(**RANGE)
    assert again["computed_at"] == first["computed_at"]
    assert figure(again, "complaints_received")["value"] == 6.0
    frozen_today.shift(dt.timedelta(seconds=2))
    later = scorecard(**RANGE)
    assert later["computed_at"] != first["computed_at"]
    assert figure(later, "complaints_received")["value"] == 7.0
    assert DashboardSnapshot.objects.count() == 1


def test_refresh_rebuilds_a_young_snapshot(hand_counted, frozen_today):
    first = scorecard(**RANGE)
    complaint("2026-06-12")
    frozen_today.shift(dt.timedelta(seconds=60))
    assert figure(scorecard(**RANGE, refresh=True), "complaints_received")["value"] == 7.0
    assert DashboardSnapshot.objects.get().data["computed_at"] != first["computed_at"]


def test_each_filter_has_its_own_snapshot(hand_counted):
    scorecard(**RANGE)
    scorecard(**RANGE, segment="public")
    assert DashboardSnapshot.objects.count() == 2


def test_a_snapshot_stored_at_the_same_moment_does_not_crash(hand_counted, monkeypatch):
    from django.db import IntegrityError

    from qms.kpis import scorecard as module

    def collide(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(module.DashboardSnapshot.objects, "update_or_create", collide)
    assert figure(scorecard(**RANGE), "complaints_received")["value"] == 6.0


def test_refresh_task_rebuilds_the_default_range(hand_counted):
    computed_at = refresh_dashboard()
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.params == {"start": "2025-07-01", "end": "2026-06-15", "segment": "", "product": ""}
    assert snapshot.data["computed_at"] == computed_at
    assert refresh_default()["params"]["start"] == "2025-07-01"


def grow(times: int) -> None:
    """``times`` of each record the scorecard counts, spread over the range."""
    for index in range(times):
        day = ["2026-04-10", "2026-05-10", "2026-06-10"][index % 3]
        complaint(day, resolved_at=at(day, 15), resolved_within_target=index % 2 == 0, status="resolved")
        answer(day, nps=index % 11, csat=index % 5 + 1)
        requirement("met" if index % 2 else "not_met")
        RiskEntryFactory(inherent_band=["low", "medium", "high", "critical"][index % 4])
        ActionFactory(due_date=dt.date(2026, 6, 1))
        kpi = KpiFactory()
        KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 5, 1))
        KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 6, 1))
        ObjectiveKpiFactory(kpi=kpi)


def count_cold_build() -> int:
    FigureValue.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        build_scorecard(**RANGE)
    return len(queries)


def test_query_count_does_not_grow_with_the_data():
    grow(2)
    build_scorecard(**RANGE)  # warm Django's own caches (content types)
    small = count_cold_build()
    grow(18)
    assert count_cold_build() == small


def test_a_warm_cache_needs_fewer_queries_than_a_cold_one(hand_counted):
    cold = count_cold_build()
    with CaptureQueriesContext(connection) as queries:
        build_scorecard(**RANGE)
    assert len(queries) < cold
