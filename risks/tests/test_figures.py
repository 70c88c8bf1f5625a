"""Dashboard figures of the risk and opportunity log."""

import datetime as dt

import pytest
from django.utils import timezone

from qms.actions.tests.factories import ActionFactory
from risks import figures
from risks.models import EffectivenessReview
from risks.tests.factories import RiskEntryFactory, UserFactory


@pytest.mark.django_db
def test_open_entries_per_band_use_the_current_band():
    RiskEntryFactory(status="assessed", inherent_band="critical")
    RiskEntryFactory(status="treating", inherent_band="critical", residual_band="medium")
    RiskEntryFactory(status="closed", inherent_band="high")
    RiskEntryFactory()
    RiskEntryFactory(kind="opportunity", inherent_band="low", status="assessed")
    assert figures.open_entries_per_band() == {"low": 0, "medium": 1, "high": 0, "critical": 1, "unscored": 1}
    assert figures.open_entries_per_band(kind="opportunity")["low"] == 1


@pytest.mark.django_db
def test_high_critical_with_open_treatment_pct():
    treated = RiskEntryFactory(status="treating", inherent_band="critical")
    ActionFactory(source=treated, kind="treatment")
    done = RiskEntryFactory(status="treating", inherent_band="high")
    ActionFactory(source=done, kind="treatment", status="done")
    RiskEntryFactory(status="treating", inherent_band="critical", residual_band="low")  # not high now
    RiskEntryFactory(status="closed", inherent_band="critical")
    assert figures.high_critical_with_open_treatment_pct() == 50.0


@pytest.mark.django_db
def test_high_critical_pct_is_none_without_such_risks():
    assert figures.high_critical_with_open_treatment_pct() is None


@pytest.mark.django_db
def test_overdue_review_count():
    today = timezone.localdate()
    RiskEntryFactory(next_review_date=today - dt.timedelta(days=1))
    RiskEntryFactory(next_review_date=today - dt.timedelta(days=1), status="closed")
    RiskEntryFactory(next_review_date=today)
    assert figures.overdue_review_count() == 1


@pytest.mark.django_db
def test_treatments_effective_pct_in_the_period():
    reviewer = UserFactory()
    entry = RiskEntryFactory()
    tz = timezone.get_current_timezone()
    for day, reached in [(dt.date(2026, 10, 1), True), (dt.date(2026, 10, 2), True), (dt.date(2026, 10, 31), False)]:
        at = dt.datetime.combine(day, dt.time(23, 30), tzinfo=tz)
        EffectivenessReview.objects.create(
            entry=entry, reviewer=reviewer, target_reached=reached, notes="n", reviewed_at=at
        )
    late = dt.datetime(2026, 11, 1, 0, 30, tzinfo=tz)
    EffectivenessReview.objects.create(
        entry=entry, reviewer=reviewer, target_reached=False, notes="n", reviewed_at=late
    )
    assert figures.treatments_effective_pct(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)) == 66.7
    assert figures.treatments_effective_pct(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31)) is None


@pytest.mark.django_db
def test_figures_count_only_what_the_user_may_see(django_user_model):
    RiskEntryFactory(status="assessed", inherent_band="low")
    nobody = django_user_model.objects.create_user("nobody")
    assert figures.open_entries_per_band(user=nobody)["low"] == 0
    assert figures.overdue_review_count(user=nobody) == 0
