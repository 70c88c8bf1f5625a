"""The 9.3.2 inputs registry and each provider the domain apps register, on small hand-made data sets."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.tests.factories import CustomerFactory
from feedback.tests.factories import CategoryFactory, FeedbackItemFactory
from feedback.tests.survey_factories import SurveyResponseFactory
from qms.actions.tests.factories import ActionFactory
from qms.kpis.tests.factories import KpiFactory, KpiValueFactory, ObjectiveFactory, ObjectiveKpiFactory
from qms.reviews import inputs
from requirements.models import ContextIssue
from requirements.tests.factories import EvaluationFactory, InterestedPartyFactory
from risks.models import EffectivenessReview
from risks.tests.factories import RiskEntryFactory

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
# Each provider's fixed query budget, whatever the amount of data.
BUDGETS = {
    "earlier_review_actions": 3,
    "context_changes": 2,
    "customer_base": 1,
    "customer_satisfaction": 5,
    "objectives_and_kpis": 4,
    "requirements_conformity": 6,
    "risk_treatment": 6,
    "improvement_suggestions": 2,
    "open_opportunities": 1,
}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=UTC)


def run(key: str) -> dict:
    provider = next(item for item in inputs.registered_inputs() if item.key == key).provider
    data = provider(START, END)
    assert json.loads(json.dumps(data)) == data, "a provider returns JSON-ready data only"
    return data


def figures(data: dict) -> dict:
    return {item["label"]: item["value"] for item in data["figures"]}


def rows(data: dict, title: str) -> list[dict]:
    return next(item["rows"] for item in data["lists"] if item["title"] == title)


# The registry -----------------------------------------------------------------------------------------


def test_every_domain_app_registers_its_inputs_in_review_order():
    keys = [item.key for item in inputs.registered_inputs()]
    assert keys == list(BUDGETS)
    clauses = {item.key: item.clause for item in inputs.registered_inputs()}
    assert clauses["earlier_review_actions"] == "9.3.2 a"
    assert clauses["context_changes"] == "9.3.2 b"
    assert clauses["risk_treatment"] == "9.3.2 e"
    assert clauses["open_opportunities"] == clauses["improvement_suggestions"] == "9.3.2 f"


def test_registering_a_key_again_replaces_it(monkeypatch):
    monkeypatch.setattr(inputs, "_registry", {})
    inputs.register_input("x", title="One", clause="9.3.2 d", order=1, provider=lambda start, end: {})
    inputs.register_input("x", title="Two", clause="9.3.2 d", order=1, provider=lambda start, end: {"figures": []})
    assert [item.title for item in inputs.registered_inputs()] == ["Two"]
    assert inputs.compile_sections(START, END) == [
        {"key": "x", "title": "Two", "clause": "9.3.2 d", "data": {"figures": []}}
    ]


@pytest.mark.parametrize("key", list(BUDGETS))
def test_each_provider_keeps_to_its_query_budget_however_much_data(key):
    category = CategoryFactory()
    for day in ("2026-01-10", "2026-02-10", "2026-03-10"):
        FeedbackItemFactory(received_at=at(day), category=category)
        FeedbackItemFactory(received_at=at(day), kind="suggestion")
        EvaluationFactory(evaluated_on=dt.date.fromisoformat(day), result="not_met", findings="Late.")
        RiskEntryFactory(kind="opportunity")
    kpi = KpiFactory()
    KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 1, 1))
    ObjectiveKpiFactory(kpi=kpi)
    ObjectiveKpiFactory()
    with CaptureQueriesContext(connection) as queries:
        run(key)
    assert len(queries.captured_queries) <= BUDGETS[key], [query["sql"] for query in queries.captured_queries]


# 9.3.2 a: actions from earlier reviews -------------------------------------------------------------------


def test_actions_from_earlier_reviews_by_status_with_the_open_ones():
    earlier = ReviewFactory(reference="MR-2025-02", review_date=dt.date(2025, 12, 10))
    later = ReviewFactory(reference="MR-2026-02", review_date=dt.date(2026, 4, 15))
    ActionFactory(source=later, title="Raised by a later review")
    open_one = ActionFactory(source=earlier, title="Train a third handler", due_date=dt.date(2026, 2, 1))
    ActionFactory(source=earlier, status="verified_effective")
    ActionFactory(source=earlier, status="done")
    ActionFactory(title="From a complaint, not a review")
    data = run("earlier_review_actions")
    counted = figures(data)
    assert (counted["Open"], counted["Verified effective"], counted["Done"], counted["Cancelled"]) == (1, 1, 1, 0)
    [row] = rows(data, "Still open")
    assert row["reference"] == open_one.reference
    assert row["label"] == "Train a third handler"
    assert "MR-2025-02" in row["detail"] and "overdue" in row["detail"]


def test_no_actions_from_reviews_says_so():
    data = run("earlier_review_actions")
    assert rows(data, "Still open") == []
    assert data["lists"][0]["empty"] == "No action from an earlier review is still open."


# 9.3.2 b: context -------------------------------------------------------------------------------------


def test_context_issues_and_parties_added_or_changed_in_the_period():
    with time_machine.travel(at("2025-12-01"), tick=False):
        changed = ContextIssue.objects.create(scope="external", title="New regulation")
        InterestedPartyFactory(name="Untouched supplier")
    with time_machine.travel(at("2026-02-01"), tick=False):
        changed.description = "Applies from July."
        changed.save()
        ContextIssue.objects.create(scope="internal", title="Key person retiring")
        InterestedPartyFactory(name="Notified body", kind="regulator")
    with time_machine.travel(at("2026-04-02"), tick=False):
        ContextIssue.objects.create(scope="internal", title="After the period")
    data = run("context_changes")
    counted = figures(data)
    assert (counted["Issues added"], counted["Issues changed"], counted["Interested parties added"]) == (1, 1, 1)
    issues = rows(data, "Context issues")
    assert [(row["label"], row["detail"]) for row in issues] == [
        ("New regulation", "External · changed"),
        ("Key person retiring", "Internal · new"),
    ]
    assert [row["label"] for row in rows(data, "Interested parties")] == ["Notified body"]


# 9.3.2 c: customers, satisfaction, objectives, requirements ---------------------------------------------


def test_customer_base_counts_customers_and_those_added_in_the_period():
    with time_machine.travel(at("2025-06-01"), tick=False):
        CustomerFactory()
    with time_machine.travel(at("2026-02-01"), tick=False):
        CustomerFactory()
        CustomerFactory()
    counted = figures(run("customer_base"))
    assert (counted["Customers"], counted["Customers added in the period"]) == (3, 2)


def test_customer_satisfaction_nps_csat_complaints_and_resolution():
    delivery, packaging = CategoryFactory(name="Delivery"), CategoryFactory(name="Packaging")
    FeedbackItemFactory(received_at=at("2026-01-05"), category=delivery)
    FeedbackItemFactory(received_at=at("2026-02-05"), category=delivery)
    FeedbackItemFactory(received_at=at("2026-02-06"), category=packaging)
    FeedbackItemFactory(received_at=at("2026-04-06"), category=packaging)  # after the period
    FeedbackItemFactory(received_at=at("2026-02-07"), kind="suggestion")  # not a complaint
    resolved = FeedbackItemFactory(received_at=at("2026-01-20"), category=delivery)
    type(resolved).objects.filter(pk=resolved.pk).update(resolved_at=at("2026-01-25"), resolved_within_target=True)
    for nps, csat in ((10, 5), (9, 5), (3, 2), (8, None)):
        SurveyResponseFactory(nps_score=nps, csat_score=csat, submitted_at=at("2026-03-01"))
    SurveyResponseFactory(nps_score=0, submitted_at=at("2025-12-31"))  # before the period
    data = run("customer_satisfaction")
    counted = figures(data)
    assert counted["NPS"] == 25.0  # 2 promoters, 1 detractor of 4
    assert counted["NPS answers"] == 4
    assert counted["CSAT"] == pytest.approx(66.7)
    assert counted["Complaints received"] == 4
    assert counted["Resolved within target"] == 100.0
    assert [(row["reference"], row["label"]) for row in rows(data, "Complaints per month")] == [
        ("2026-01", "2 complaints"),
        ("2026-02", "2 complaints"),
        ("2026-03", "0 complaints"),
    ]
    assert [row["reference"] for row in rows(data, "Complaints by category")] == ["Delivery", "Packaging"]


def test_customer_satisfaction_without_answers_is_empty_not_zero():
    counted = figures(run("customer_satisfaction"))
    assert counted["NPS"] is None and counted["CSAT"] is None and counted["Resolved within target"] is None


def test_objectives_and_kpis_with_their_status_at_the_end_of_the_period():
    on_time = KpiFactory(name="On-time delivery", target=Decimal("95"), warning_threshold=Decimal("90"))
    KpiValueFactory(kpi=on_time, period_start=dt.date(2026, 2, 1), value=Decimal("80"))
    KpiValueFactory(kpi=on_time, period_start=dt.date(2026, 3, 1), value=Decimal("97"))
    KpiValueFactory(kpi=on_time, period_start=dt.date(2026, 4, 1), value=Decimal("10"))  # after the period
    KpiFactory(name="First-pass yield")
    objective = ObjectiveFactory(reference="OBJ-0001", statement="Deliver on time", target_date=dt.date(2026, 12, 31))
    ObjectiveKpiFactory(objective=objective, kpi=on_time)
    ObjectiveFactory(reference="OBJ-0002", statement="Unmeasured yet")
    data = run("objectives_and_kpis")
    kpis = {row["reference"]: row for row in rows(data, "KPIs")}
    assert kpis["On-time delivery"]["label"].startswith("97.0 %")
    assert kpis["On-time delivery"]["detail"].startswith("On target")
    assert kpis["First-pass yield"]["label"] == "no value"
    counted = figures(data)
    assert (counted["KPIs on target"], counted["KPIs no data"]) == (1, 1)
    assert (counted["Objectives: on track"], counted["Objectives: without a KPI value yet"]) == (1, 1)
    objectives = {row["reference"]: row for row in rows(data, "Quality objectives")}
    assert objectives["OBJ-0001"]["label"] == "Deliver on time"
    assert objectives["OBJ-0001"]["detail"] == "On track · target date 2026-12-31"


def test_requirements_met_evaluations_and_nonconformities_with_their_actions():
    finding = EvaluationFactory(evaluated_on=dt.date(2026, 2, 1), result="not_met", findings="No certificate.")
    action = ActionFactory(source=finding, title="Add the certificate to the checklist")
    EvaluationFactory(evaluated_on=dt.date(2026, 3, 1), result="partly_met", findings="One missing.")
    EvaluationFactory(evaluated_on=dt.date(2026, 3, 2), result="met")
    EvaluationFactory(evaluated_on=dt.date(2025, 12, 2), result="not_met", findings="Before the period.")
    data = run("requirements_conformity")
    counted = figures(data)
    assert (counted["Evaluations: met"], counted["Evaluations: not met"], counted["Evaluations: partly met"]) == (
        1,
        1,
        1,
    )
    assert counted["Requirements met (now)"] == 25.0  # 1 of 4 active requirements last evaluated as met
    found = rows(data, "Nonconformities and their corrective actions")
    assert found[0]["reference"] == finding.requirement.reference
    assert found[0]["detail"] == f"Corrective actions: {action.reference} (Open)"
    assert found[1]["detail"] == "No corrective action raised"


# 9.3.2 e and f: risks, opportunities, suggestions -------------------------------------------------------


def test_risk_changes_and_the_effectiveness_of_their_treatment(quality):
    with time_machine.travel(at("2026-02-01"), tick=False):
        treated = RiskEntryFactory(reference="RSK-0001", title="Single supplier", status="monitoring")
        treated.residual_band = "high"
        treated.save()
    with time_machine.travel(at("2025-06-01"), tick=False):
        RiskEntryFactory(reference="RSK-0000", title="Old risk")
    EffectivenessReview.objects.create(
        entry=treated, reviewed_at=at("2026-03-01"), reviewer=quality, target_reached=True, notes="ok"
    )
    EffectivenessReview.objects.create(
        entry=treated, reviewed_at=at("2026-03-15"), reviewer=quality, target_reached=False, notes="no"
    )
    data = run("risk_treatment")
    counted = figures(data)
    assert counted["Open risks, high band now"] == 1
    assert counted["Open risks, unscored band now"] == 1
    assert counted["Treatments found effective"] == 50.0
    assert [row["reference"] for row in rows(data, "Risks and opportunities logged in the period")] == ["RSK-0001"]
    assert [row["detail"] for row in rows(data, "Effectiveness of treatment")] == [
        "target reached on 2026-03-01",
        "target not reached on 2026-03-15",
    ]


def test_open_opportunities_only():
    RiskEntryFactory(reference="OPP-0001", kind="opportunity", title="Offer calibration")
    RiskEntryFactory(reference="OPP-0002", kind="opportunity", status="closed")
    RiskEntryFactory(reference="RSK-0009", kind="risk")
    data = run("open_opportunities")
    assert [row["reference"] for row in rows(data, "Open opportunities")] == ["OPP-0001"]
    assert figures(data)["Open opportunities"] == 1


def test_suggestions_received_in_the_period():
    FeedbackItemFactory(
        reference="SUG-2026-00001", kind="suggestion", received_at=at("2026-02-01"), summary="Add tracking"
    )
    FeedbackItemFactory(kind="suggestion", received_at=at("2026-05-01"))
    FeedbackItemFactory(kind="complaint", received_at=at("2026-02-01"))
    data = run("improvement_suggestions")
    assert figures(data)["Suggestions received"] == 1
    assert [(row["reference"], row["label"]) for row in rows(data, "Suggestions")] == [
        ("SUG-2026-00001", "Add tracking")
    ]
