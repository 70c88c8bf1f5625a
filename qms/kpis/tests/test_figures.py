"""Every registered figure against small data sets counted by hand (the counts are in the comments), with
empty periods, period edges in other time zones, the segment and product filters, and the drill-down
page each figure links to listing exactly the records counted."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from feedback.tests.factories import FeedbackItemFactory
from feedback.tests.survey_factories import InvitationFactory, SurveyResponseFactory
from qms.actions.tests.factories import ActionFactory
from qms.kpis.figures import FLOW, REGISTRY, SNAPSHOT
from qms.kpis.tests.factories import OrderVolumeFactory
from requirements.models import Acknowledgement, Assignment
from requirements.tests.factories import EvaluationFactory, RequirementFactory, UserFactory
from risks.models import EffectivenessReview
from risks.tests.factories import RiskEntryFactory

pytestmark = pytest.mark.django_db

JAN = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
FEB_MAR = (dt.date(2026, 2, 1), dt.date(2026, 3, 31))
MAR = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
APR = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def local(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware moment at ``hour:minute`` local time (the portal's current time zone) on ``day``."""
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def value(key: str, period: tuple[dt.date, dt.date], **filters) -> Decimal | None:
    return REGISTRY[key].value(*period, **filters)


def shown(client, url: str, pattern: str) -> set[str]:
    """The references matching ``pattern`` on the page at ``url`` (which must open)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return set(re.findall(pattern, response.content.decode()))


@pytest.fixture(autouse=True)
def utc(settings):
    # The hand counts below are in UTC unless a test sets another zone.
    settings.TIME_ZONE = "UTC"


def test_fifteen_figures_are_registered_with_their_kind_and_filters():
    expected = {
        "complaints_received": (FLOW, {"segment", "product"}),
        "complaints_per_1000_orders": (FLOW, {"segment", "product"}),
        "median_days_to_resolve": (FLOW, {"segment", "product"}),
        "resolved_within_target_pct": (FLOW, {"segment", "product"}),
        "reopen_rate": (FLOW, {"segment", "product"}),
        "nps": (FLOW, {"segment"}),
        "csat_pct": (FLOW, {"segment"}),
        "survey_response_rate": (FLOW, {"segment"}),
        "requirements_met_pct": (SNAPSHOT, set()),
        "acknowledgement_coverage_pct": (SNAPSHOT, set()),
        "overdue_evaluations": (SNAPSHOT, set()),
        "open_high_critical_risks": (SNAPSHOT, set()),
        "treatments_effective_pct": (FLOW, set()),
        "overdue_actions": (SNAPSHOT, set()),
        "actions_verified_effective_pct": (FLOW, set()),
    }
    assert {key: (figure.kind, set(figure.filters)) for key, figure in REGISTRY.items()} == expected


# Complaints -----------------------------------------------------------------------------------------------


@pytest.fixture
def complaints():
    """Six complaints and one compliment around March 2026 (UTC).

    ref  received      segment     product  resolved  days  within  reopened
    C1   2 Mar         enterprise  Widget   5 Mar     1.0   yes     0
    C2   10 Mar        enterprise  Gadget   20 Mar    3.0   no      1
    C3   15 Mar        sme         Widget   2 Apr     2.0   yes     0
    C4   31 Mar 12:00  sme         widget   —
    C5   1 Apr         enterprise  Widget   3 Apr     0.5   yes     0
    C6   27 Feb        enterprise  Widget   3 Mar     4.0   no      2
    K1   12 Mar        enterprise  (a compliment: never counted)
    """
    enterprise, sme = CustomerFactory(segment="enterprise"), CustomerFactory(segment="sme")
    rows = {
        "C1": ("2026-03-02", enterprise, "Widget", "2026-03-05", 24, True, 0),
        "C2": ("2026-03-10", enterprise, "Gadget", "2026-03-20", 72, False, 1),
        "C3": ("2026-03-15", sme, "Widget", "2026-04-02", 48, True, 0),
        "C4": ("2026-03-31", sme, "widget", None, None, None, 0),
        "C5": ("2026-04-01", enterprise, "Widget", "2026-04-03", 12, True, 0),
        "C6": ("2026-02-27", enterprise, "Widget", "2026-03-03", 96, False, 2),
    }
    made = {}
    for name, (received, customer, product, resolved, hours, within, reopened) in rows.items():
        made[name] = FeedbackItemFactory(
            reference=f"CMPT-{name}",
            received_at=local(received, 12),
            customer=customer,
            product=product,
            status="resolved" if resolved else "received",
            resolved_at=local(resolved, 15) if resolved else None,
            resolve_working_hours=hours,
            resolved_within_target=within,
            reopen_count=reopened,
        )
    FeedbackItemFactory(reference="CMPT-K1", kind="compliment", received_at=local("2026-03-12"), customer=enterprise)
    return made


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, "4"),  # C1 C2 C3 C4
        ({"segment": "enterprise"}, "2"),  # C1 C2
        ({"segment": "sme"}, "2"),  # C3 C4
        ({"product": "Widget"}, "3"),  # C1 C3 C4 (product matched whatever the case)
        ({"segment": "enterprise", "product": "Widget"}, "1"),  # C1
        ({"segment": "public"}, "0"),
    ],
)
def test_complaints_received_in_march(complaints, filters, expected):
    assert value("complaints_received", MAR, **filters) == Decimal(expected)


def test_complaints_received_other_periods(complaints):
    assert value("complaints_received", APR) == Decimal("1")  # C5
    assert value("complaints_received", FEB_MAR) == Decimal("5")  # C6 + C1…C4
    assert value("complaints_received", JAN) == Decimal("0")  # an empty period counts zero


def test_complaints_per_1000_orders_needs_the_orders(complaints):
    # No orders entered: no value (not zero, not infinity).
    assert value("complaints_per_1000_orders", MAR) is None
    OrderVolumeFactory(month=dt.date(2026, 2, 1), orders=1000)
    assert value("complaints_per_1000_orders", MAR) is None  # orders for February only
    OrderVolumeFactory(month=dt.date(2026, 3, 1), orders=2000)
    assert value("complaints_per_1000_orders", MAR) == Decimal("2.00")  # 4 ÷ 2000 × 1000
    assert value("complaints_per_1000_orders", MAR, segment="enterprise") == Decimal("1.00")  # 2 ÷ 2000 × 1000
    assert value("complaints_per_1000_orders", MAR, product="Widget") == Decimal("1.50")  # 3 ÷ 2000 × 1000
    assert value("complaints_per_1000_orders", FEB_MAR) == Decimal("1.67")  # 5 ÷ 3000 × 1000 = 1.666…


def test_complaints_per_1000_orders_of_a_month_without_complaints_is_zero():
    OrderVolumeFactory(month=dt.date(2026, 1, 1), orders=500)
    assert value("complaints_per_1000_orders", JAN) == Decimal("0.00")


def test_complaints_per_1000_orders_with_zero_orders_has_no_value(complaints):
    OrderVolumeFactory(month=dt.date(2026, 3, 1), orders=0)
    assert value("complaints_per_1000_orders", MAR) is None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, "2.00"),  # received in March and resolved: C1 1.0, C3 2.0, C2 3.0 → median 2.0 (C4 unresolved)
        ({"product": "Widget"}, "1.50"),  # C1 1.0, C3 2.0 → 1.5
        ({"segment": "enterprise", "product": "Gadget"}, "3.00"),  # C2
        ({"segment": "public"}, None),
    ],
)
def test_median_days_to_resolve(complaints, filters, expected):
    assert value("median_days_to_resolve", MAR, **filters) == (None if expected is None else Decimal(expected))


def test_median_days_to_resolve_of_an_empty_period_is_none(complaints):
    assert value("median_days_to_resolve", JAN) is None
    assert value("median_days_to_resolve", APR) == Decimal("0.50")  # C5 only


@pytest.mark.parametrize(
    ("key", "filters", "expected"),
    [
        # Resolved in March: C6 (no, reopened), C1 (yes), C2 (no, reopened) — by resolution date.
        ("resolved_within_target_pct", {}, "33.30"),  # 1 of 3 = 33.3 %
        ("resolved_within_target_pct", {"product": "Widget"}, "50.00"),  # C1 C6: 1 of 2
        ("resolved_within_target_pct", {"segment": "sme"}, None),  # C3 was resolved in April
        ("reopen_rate", {}, "66.70"),  # C2 C6 of 3 = 66.7 %
        ("reopen_rate", {"product": "widget"}, "50.00"),  # C6 of C1 C6
        ("reopen_rate", {"segment": "sme"}, None),
    ],
)
def test_resolution_shares_in_march(complaints, key, filters, expected):
    assert value(key, MAR, **filters) == (None if expected is None else Decimal(expected))


def test_resolution_shares_in_april_and_in_an_empty_period(complaints):
    # Resolved in April: C3 and C5, both within target, neither reopened.
    assert value("resolved_within_target_pct", APR) == Decimal("100.00")
    assert value("reopen_rate", APR) == Decimal("0.00")
    assert value("resolved_within_target_pct", JAN) is None
    assert value("reopen_rate", JAN) is None


@pytest.mark.parametrize(
    ("zone", "hour", "minute", "utc_day"),
    [
        # 23:30 on 31 March in New York (EDT, UTC−4) is 03:30 on 1 April in UTC: it is still March.
        ("America/New_York", 23, 30, dt.date(2026, 4, 1)),
        # 23:30 on 31 March in Berlin (CEST, UTC+2) is 21:30 in UTC.
        ("Europe/Berlin", 23, 30, dt.date(2026, 3, 31)),
    ],
)
def test_a_complaint_late_on_31_march_local_time_counts_in_march(settings, zone, hour, minute, utc_day):
    settings.TIME_ZONE = zone
    late = FeedbackItemFactory(reference="CMPT-LATE", received_at=local("2026-03-31", hour, minute))
    assert late.received_at.astimezone(dt.UTC).date() == utc_day
    assert value("complaints_received", MAR) == Decimal("1")
    assert value("complaints_received", APR) == Decimal("0")


@pytest.mark.parametrize(
    ("zone", "utc_day"),
    [
        # 00:30 on 1 April in Berlin is 22:30 on 31 March in UTC: it is April.
        ("Europe/Berlin", dt.date(2026, 3, 31)),
        ("America/New_York", dt.date(2026, 4, 1)),
    ],
)
def test_a_complaint_just_after_midnight_on_1_april_counts_in_april(settings, zone, utc_day):
    settings.TIME_ZONE = zone
    early = FeedbackItemFactory(reference="CMPT-EARLY", received_at=local("2026-04-01", 0, 30))
    assert early.received_at.astimezone(dt.UTC).date() == utc_day
    assert value("complaints_received", MAR) == Decimal("0")
    assert value("complaints_received", APR) == Decimal("1")


def test_month_edges_in_berlin_and_the_drilldown_agree(settings, client_for, quality):
    settings.TIME_ZONE = "Europe/Berlin"
    FeedbackItemFactory(reference="CMPT-MARCH", received_at=local("2026-03-31", 23, 30))
    FeedbackItemFactory(reference="CMPT-APRIL", received_at=local("2026-04-01", 0, 30))
    assert value("complaints_received", MAR) == value("complaints_received", APR) == Decimal("1")
    client = client_for(quality)
    figure = REGISTRY["complaints_received"]
    assert shown(client, figure.drilldown_url(*MAR), r"CMPT-\w+") == {"CMPT-MARCH"}
    assert shown(client, figure.drilldown_url(*APR), r"CMPT-\w+") == {"CMPT-APRIL"}


@pytest.mark.parametrize(
    ("key", "filters", "expected"),
    [
        ("complaints_received", {}, {"C1", "C2", "C3", "C4"}),
        ("complaints_received", {"segment": "enterprise"}, {"C1", "C2"}),
        ("complaints_received", {"product": "Widget"}, {"C1", "C3", "C4"}),
        ("complaints_per_1000_orders", {"segment": "sme"}, {"C3", "C4"}),
        ("median_days_to_resolve", {"segment": "enterprise", "product": "Widget"}, {"C1"}),
        # The shares are of the complaints resolved in the period.
        ("resolved_within_target_pct", {}, {"C1", "C2", "C6"}),
        ("reopen_rate", {"product": "Widget"}, {"C1", "C6"}),
    ],
)
def test_complaint_drilldown_lists_the_complaints_counted(complaints, client_for, quality, key, filters, expected):
    url = REGISTRY[key].drilldown_url(*MAR, **filters)
    assert shown(client_for(quality), url, r"CMPT-\w\d") == {f"CMPT-{name}" for name in expected}


# Surveys ------------------------------------------------------------------------------------------------


@pytest.fixture
def answers():
    """Responses submitted around March 2026, with the segment recorded on each.

    ref  submitted  segment     NPS  CSAT
    R1   3 Mar      enterprise  10   5
    R2   9 Mar      enterprise  9    4
    R3   14 Mar     sme         9    3
    R4   20 Mar     sme         3    2
    R5   25 Mar     sme         0    —
    R6   30 Mar     enterprise  —    5
    R7   1 Apr      sme         0    1
    """
    enterprise, sme = CustomerFactory(segment="enterprise"), CustomerFactory(segment="sme")
    rows = [
        ("2026-03-03", enterprise, 10, 5),
        ("2026-03-09", enterprise, 9, 4),
        ("2026-03-14", sme, 9, 3),
        ("2026-03-20", sme, 3, 2),
        ("2026-03-25", sme, 0, None),
        ("2026-03-30", enterprise, None, 5),
        ("2026-04-01", sme, 0, 1),
    ]
    for day, customer, nps, csat in rows:
        SurveyResponseFactory(customer=customer, submitted_at=local(day), nps_score=nps, csat_score=csat)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, "20.00"),  # March: promoters R1 R2 R3, detractors R4 R5, of 5 scored → (3 − 2) ÷ 5 = 20
        ({"segment": "enterprise"}, "100.00"),  # R1 R2 both promoters
        ({"segment": "sme"}, "-33.30"),  # R3 promoter, R4 R5 detractors → −1 ÷ 3 = −33.3
        ({"product": "Widget"}, "20.00"),  # NPS takes no product filter: ignored
        ({"segment": "public"}, None),
    ],
)
def test_nps(answers, filters, expected):
    assert value("nps", MAR, **filters) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, "60.00"),  # March CSAT answers 5 4 3 2 5 (R5 none): 4 or 5 → 3 of 5 = 60
        ({"segment": "enterprise"}, "100.00"),  # R1 5, R2 4, R6 5
        ({"segment": "sme"}, "0.00"),  # R3 3, R4 2
        ({"product": "Gadget"}, "60.00"),  # ignored
    ],
)
def test_csat(answers, filters, expected):
    assert value("csat_pct", MAR, **filters) == Decimal(expected)


def test_survey_figures_of_an_empty_period_are_none(answers):
    assert value("nps", JAN) is None
    assert value("csat_pct", JAN) is None
    assert value("survey_response_rate", JAN) is None
    assert value("nps", APR) == Decimal("-100.00")  # R7 alone, a detractor


@pytest.fixture
def invitations():
    """Invitations sent around March 2026 (the response rate counts by the date sent).

    ref  sent    segment     state       responded
    I1   2 Mar   enterprise  sent        yes
    I2   4 Mar   enterprise  sent        no
    I3   6 Mar   sme         sent        yes
    I4   8 Mar   sme         failed      — (not delivered)
    I5   1 Apr   enterprise  sent        yes (another month)
    """
    enterprise, sme = CustomerFactory(segment="enterprise"), CustomerFactory(segment="sme")
    rows = [
        ("2026-03-02", enterprise, "sent", True),
        ("2026-03-04", enterprise, "sent", False),
        ("2026-03-06", sme, "sent", True),
        ("2026-03-08", sme, "failed", False),
        ("2026-04-01", enterprise, "sent", True),
    ]
    for day, customer, state, responded in rows:
        invitation = InvitationFactory(customer=customer, sent_at=local(day), status=state)
        if responded:
            SurveyResponseFactory(
                invitation=invitation,
                campaign=invitation.campaign,
                customer=customer,
                submitted_at=local(day, 16),
                nps_score=9,
            )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, "66.70"),  # delivered I1 I2 I3 (I4 failed), responded I1 I3 → 2 ÷ 3
        ({"segment": "enterprise"}, "50.00"),  # I1 of I1 I2
        ({"segment": "sme"}, "100.00"),  # I3 of I3 (I4 failed)
        ({"product": "Widget"}, "66.70"),  # ignored
    ],
)
def test_survey_response_rate(invitations, filters, expected):
    assert value("survey_response_rate", MAR, **filters) == Decimal(expected)


def test_response_rate_in_april(invitations):
    assert value("survey_response_rate", APR) == Decimal("100.00")  # I5 of I5


# Requirements (snapshots: the range is ignored) ---------------------------------------------------------


@pytest.fixture
def requirements():
    """REQ-A active, last evaluation met (an older one said not met)
    REQ-B active, last evaluation not met (an older one said met)
    REQ-C active, never evaluated (counts as not met)
    REQ-D active, last evaluation not applicable (left out)
    REQ-E retired, met (left out)"""
    today = timezone.localdate()
    made = {name: RequirementFactory(reference=f"REQ-{name}") for name in "ABCD"}
    made["E"] = RequirementFactory(reference="REQ-E", status="retired")
    for name, results in {
        "A": ["not_met", "met"],
        "B": ["met", "not_met"],
        "D": ["not_applicable"],
        "E": ["met"],
    }.items():
        for age, result in zip(range(len(results), 0, -1), results, strict=True):
            EvaluationFactory(requirement=made[name], result=result, evaluated_on=today - dt.timedelta(days=10 * age))
    return made


def test_requirements_met_pct(requirements):
    # Applicable: A B C (D not applicable, E retired); met: A → 1 of 3 = 33.3 %, whatever the range.
    assert value("requirements_met_pct", MAR) == Decimal("33.30")
    assert value("requirements_met_pct", JAN, segment="sme", product="Widget") == Decimal("33.30")


def test_requirements_met_pct_without_requirements_is_none():
    assert value("requirements_met_pct", MAR) is None


def test_requirements_met_drilldown_lists_the_active_requirements(requirements, client_for, quality):
    # The active ones, each showing its last result (D shows "not applicable"); not the retired E.
    url = REGISTRY["requirements_met_pct"].drilldown_url(*MAR)
    assert shown(client_for(quality), url, r"REQ-[A-E]\b") == {"REQ-A", "REQ-B", "REQ-C", "REQ-D"}


@pytest.fixture
def assignments():
    """REQ-A (version 2) assigned to u1 and u2 in person and to role "Packers" (u3, and u5 who left);
    REQ-F retired, assigned to u1 (left out). Acknowledged: u1 at version 2, u2 only at version 1, u3 at
    version 2; u4 acknowledged but is not assigned."""
    people = {name: UserFactory(username=name) for name in ("u1", "u2", "u3", "u4")}
    people["u5"] = UserFactory(username="u5", is_active=False)
    packers = Group.objects.create(name="Packers")
    packers.user_set.add(people["u3"], people["u5"])
    current = RequirementFactory(reference="REQ-A", version=2)
    retired = RequirementFactory(reference="REQ-F", status="retired")
    for target in (people["u1"], people["u2"]):
        Assignment.objects.create(requirement=current, user=target)
    Assignment.objects.create(requirement=current, group=packers)
    Assignment.objects.create(requirement=retired, user=people["u1"])
    now = timezone.now()
    for name, version in (("u1", 2), ("u2", 1), ("u3", 2), ("u4", 2)):
        Acknowledgement.objects.create(requirement=current, user=people[name], version=version, acknowledged_at=now)
    return people


def test_acknowledgement_coverage(assignments):
    # Pairs: (A, u1) (A, u2) (A, u3) — u5 inactive, F retired; at version 2: u1 u3 → 2 of 3 = 66.7 %.
    assert value("acknowledgement_coverage_pct", MAR) == Decimal("66.70")
    assert value("acknowledgement_coverage_pct", JAN, segment="sme") == Decimal("66.70")


def test_acknowledgement_coverage_without_assignments_is_none():
    RequirementFactory()
    assert value("acknowledgement_coverage_pct", MAR) is None


def test_acknowledgement_drilldown_lists_the_active_requirements(assignments, client_for, quality):
    url = REGISTRY["acknowledgement_coverage_pct"].drilldown_url(*MAR)
    assert shown(client_for(quality), url, r"REQ-[A-F]\b") == {"REQ-A"}


@pytest.fixture
def overdue_requirements():
    """REQ-1 active, review date passed → overdue
    REQ-2 under review, last evaluation's next due date passed → overdue
    REQ-3 active, review and evaluation both due later → not
    REQ-4 retired, review date passed → not (not live)
    REQ-5 active, an older evaluation was overdue but the newest is due later → not"""
    today = timezone.localdate()
    past, later = today - dt.timedelta(days=1), today + dt.timedelta(days=60)
    RequirementFactory(reference="REQ-1", next_review_date=past)
    second = RequirementFactory(reference="REQ-2", status="under_review")
    EvaluationFactory(requirement=second, evaluated_on=today - dt.timedelta(days=40), next_due_date=past)
    third = RequirementFactory(reference="REQ-3")
    EvaluationFactory(requirement=third, evaluated_on=today - dt.timedelta(days=5), next_due_date=later)
    RequirementFactory(reference="REQ-4", status="retired", next_review_date=past)
    fifth = RequirementFactory(reference="REQ-5")
    EvaluationFactory(requirement=fifth, evaluated_on=today - dt.timedelta(days=40), next_due_date=past)
    EvaluationFactory(requirement=fifth, evaluated_on=today - dt.timedelta(days=2), next_due_date=later)


def test_overdue_evaluations(overdue_requirements):
    assert value("overdue_evaluations", MAR) == Decimal("2")  # REQ-1 REQ-2
    assert value("overdue_evaluations", JAN, product="Widget") == Decimal("2")  # range and filters ignored


def test_overdue_evaluations_without_requirements_is_zero():
    assert value("overdue_evaluations", MAR) == Decimal("0")


def test_overdue_evaluations_drilldown_lists_every_requirement_counted(overdue_requirements, client_for, quality):
    url = REGISTRY["overdue_evaluations"].drilldown_url(*MAR)
    assert {"REQ-1", "REQ-2"} <= shown(client_for(quality), url, r"REQ-\d\b")


def test_overdue_evaluations_drilldown_lists_only_the_requirements_counted(overdue_requirements, client_for, quality):
    url = REGISTRY["overdue_evaluations"].drilldown_url(*MAR)
    assert shown(client_for(quality), url, r"REQ-\d\b") == {"REQ-1", "REQ-2"}


# Risks --------------------------------------------------------------------------------------------------


@pytest.fixture
def risks():
    """RSK-1 risk identified, inherent high → counts
    RSK-2 risk assessed, inherent low, residual high → counts (the residual band once scored)
    RSK-3 risk monitoring, inherent critical, residual medium → not
    RSK-4 risk closed, inherent high → not (closed)
    RSK-5 opportunity identified, inherent high → not (an opportunity)
    RSK-6 risk treating, inherent medium → not"""
    rows = [
        ("RSK-1", "risk", "identified", "high", ""),
        ("RSK-2", "risk", "assessed", "low", "high"),
        ("RSK-3", "risk", "monitoring", "critical", "medium"),
        ("RSK-4", "risk", "closed", "high", ""),
        ("RSK-5", "opportunity", "identified", "high", ""),
        ("RSK-6", "risk", "treating", "medium", ""),
    ]
    for reference, kind, state, inherent, residual in rows:
        RiskEntryFactory(reference=reference, kind=kind, status=state, inherent_band=inherent, residual_band=residual)


def test_open_high_critical_risks(risks):
    assert value("open_high_critical_risks", MAR) == Decimal("2")  # RSK-1 RSK-2
    RiskEntryFactory(reference="RSK-7", status="treating", inherent_band="critical")
    assert value("open_high_critical_risks", JAN, segment="sme") == Decimal("3")  # + RSK-7


def test_open_high_critical_risks_without_risks_is_zero():
    assert value("open_high_critical_risks", MAR) == Decimal("0")


def test_open_high_risks_drilldown_lists_the_open_high_risks_counted(risks, client_for, quality):
    url = REGISTRY["open_high_critical_risks"].drilldown_url(*MAR)
    assert {"RSK-1", "RSK-2"} <= shown(client_for(quality), url, r"RSK-\d\b")


def test_open_high_risks_drilldown_lists_exactly_the_risks_counted(risks, client_for, quality):
    RiskEntryFactory(reference="RSK-7", status="treating", inherent_band="critical")
    url = REGISTRY["open_high_critical_risks"].drilldown_url(*MAR)
    assert shown(client_for(quality), url, r"RSK-\d\b") == {"RSK-1", "RSK-2", "RSK-7"}


@pytest.fixture
def effectiveness_reviews():
    """Reviews of treatment effectiveness (UTC): 2 Mar reached, 15 Mar not, 31 Mar 23:00 reached,
    1 Apr 00:30 not (April)."""
    entry = RiskEntryFactory(status="monitoring", inherent_band="high")
    reviewer = UserFactory(username="reviewer")
    for moment, reached in [
        (local("2026-03-02"), True),
        (local("2026-03-15"), False),
        (local("2026-03-31", 23), True),
        (local("2026-04-01", 0, 30), False),
    ]:
        EffectivenessReview.objects.create(
            entry=entry, reviewed_at=moment, reviewer=reviewer, target_reached=reached, notes="Checked."
        )


def test_treatments_effective_pct(effectiveness_reviews):
    assert value("treatments_effective_pct", MAR) == Decimal("66.70")  # 2 of 3
    assert value("treatments_effective_pct", APR) == Decimal("0.00")  # 0 of 1
    assert value("treatments_effective_pct", MAR, segment="sme", product="Widget") == Decimal("66.70")  # ignored
    assert value("treatments_effective_pct", JAN) is None


def test_treatments_effective_pct_follows_the_portal_time_zone(settings, effectiveness_reviews):
    # In New York (UTC−4) the 1 April 00:30 UTC review was made on 31 March: 2 of 4 in March = 50 %.
    settings.TIME_ZONE = "America/New_York"
    assert value("treatments_effective_pct", MAR) == Decimal("50.00")
    assert value("treatments_effective_pct", APR) is None


# Actions ------------------------------------------------------------------------------------------------


def test_overdue_actions_and_their_drilldown(client_for, quality):
    today = timezone.localdate()
    counted = [
        ActionFactory(status="open", due_date=today - dt.timedelta(days=1)),
        ActionFactory(status="in_progress", due_date=today - dt.timedelta(days=10)),
    ]
    ActionFactory(status="done", due_date=today - dt.timedelta(days=1))  # done: waiting for its check
    ActionFactory(status="cancelled", due_date=today - dt.timedelta(days=5))
    ActionFactory(status="open", due_date=today)  # due today: not yet overdue
    ActionFactory(status="open", due_date=today + dt.timedelta(days=1))
    assert value("overdue_actions", MAR) == Decimal("2")
    assert value("overdue_actions", JAN, segment="sme") == Decimal("2")  # range and filters ignored
    url = REGISTRY["overdue_actions"].drilldown_url(*MAR)
    assert shown(client_for(quality), url, r"ACT-\d{5}") == {action.reference for action in counted}


def test_overdue_actions_without_actions_is_zero():
    assert value("overdue_actions", MAR) == Decimal("0")


def test_actions_verified_effective_pct():
    # Checks in March: effective (2 Mar), not effective (20 Mar), effective (31 Mar 23:30) → 2 of 3.
    # Left out: effective on 1 April; done but not yet checked (a check date without a result).
    for status, moment in [
        ("verified_effective", local("2026-03-02")),
        ("not_effective", local("2026-03-20")),
        ("verified_effective", local("2026-03-31", 23, 30)),
        ("verified_effective", local("2026-04-01", 0, 30)),
        ("done", local("2026-03-10")),
    ]:
        ActionFactory(status=status, checked_at=moment)
    assert value("actions_verified_effective_pct", MAR) == Decimal("66.70")
    assert value("actions_verified_effective_pct", APR) == Decimal("100.00")
    assert value("actions_verified_effective_pct", MAR, segment="sme") == Decimal("66.70")  # ignored
    assert value("actions_verified_effective_pct", JAN) is None


def test_actions_verified_effective_pct_follows_the_portal_time_zone(settings):
    # 23:30 on 31 March in New York is 1 April in UTC: a March check.
    settings.TIME_ZONE = "America/New_York"
    ActionFactory(status="not_effective", checked_at=local("2026-03-31", 23, 30))
    assert local("2026-03-31", 23, 30).astimezone(zoneinfo.ZoneInfo("UTC")).date() == dt.date(2026, 4, 1)
    assert value("actions_verified_effective_pct", MAR) == Decimal("0.00")
    assert value("actions_verified_effective_pct", APR) is None


# Figures without a register listing their records -------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["nps", "csat_pct", "survey_response_rate", "treatments_effective_pct", "actions_verified_effective_pct"]
)
def test_figures_without_a_list_page_have_no_drilldown(key):
    assert REGISTRY[key].drilldown_url(*MAR) is None
