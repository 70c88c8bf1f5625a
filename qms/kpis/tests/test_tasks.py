import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from feedback.tests.factories import FeedbackItemFactory
from qms.actions.models import Action
from qms.kpis.models import KpiValue
from qms.kpis.tasks import compute_kpis

from .factories import ComputedKpiFactory

TODAY = dt.date(2026, 11, 25)


def test_the_task_computes_the_given_day(quality):
    ComputedKpiFactory(owner=quality, figure="overdue_actions", target=Decimal("0"), warning_threshold=None)
    assert compute_kpis(TODAY.isoformat()) == {"kpis": 1, "values": 2}
    assert sorted(KpiValue.objects.values_list("period_start", flat=True)) == [
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 1),
    ]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_running_the_nightly_job_twice_stores_each_period_once(quality, run_in_worker):
    kpi = ComputedKpiFactory(owner=quality, target=Decimal("0"), warning_threshold=None, opens_action_on_miss=True)
    october = dt.datetime(2026, 10, 14, 10, tzinfo=timezone.get_current_timezone())
    FeedbackItemFactory(received_at=october)
    first, second = run_in_worker(compute_kpis.s(TODAY.isoformat()), compute_kpis.s(TODAY.isoformat()))
    assert first == {"kpis": 1, "values": 13}
    assert second == {"kpis": 1, "values": 1}  # only the current month is computed again
    assert KpiValue.objects.filter(kpi=kpi).count() == 13
    assert KpiValue.objects.get(kpi=kpi, period_start=dt.date(2026, 10, 1)).value == 1
    assert Action.objects.filter(title__startswith=kpi.name).count() == 1
