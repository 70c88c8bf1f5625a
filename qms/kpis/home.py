"""The KPIs' part of the home page: the dashboard for those who may see it, and the values the signed-in
person owes for the period just ended."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from qms.accounts.permissions import can

from .choices import Frequency, KpiSource
from .models import DashboardSnapshot, Kpi, KpiValue
from .periods import add_periods, period_start


def _owed_q(today) -> Q:
    """An active entered KPI with no value yet for the period just ended (on ``Kpi`` rows)."""
    owed = Q(pk__in=[])
    for frequency in Frequency.values:
        just_ended = add_periods(period_start(today, frequency), -1, frequency)
        recorded = KpiValue.objects.filter(kpi=OuterRef("pk"), period_start=just_ended, value__isnull=False)
        owed |= Q(frequency=frequency) & ~Exists(recorded)
    return owed


def values_owed(user, *, today=None):
    """The active entered KPIs ``user`` owns with no value yet for the period just ended."""
    today = today or timezone.localdate()
    return Kpi.objects.filter(owner=user, active=True, source=KpiSource.ENTERED).filter(_owed_q(today))


def kpis_home(user):
    from qms.core.homepage import HomeContribution

    part = HomeContribution()
    if can(user, "view", DashboardSnapshot):
        part.links.append({"label": "Customer-focus dashboard", "url": reverse("kpis:dashboard")})
    if not (can(user, "view", Kpi) and (can(user, "add", KpiValue) or can(user, "enter", KpiValue))):
        return part
    # Whether the user owns entered KPIs, and how many wait for a value: one query.
    counts = Kpi.objects.filter(owner=user, active=True, source=KpiSource.ENTERED).aggregate(
        owned=Count("pk"), owed=Count("pk", filter=_owed_q(timezone.localdate()))
    )
    if counts["owned"]:
        part.figures.append(
            {
                "label": "Your KPIs waiting for last period's value",
                "value": counts["owed"],
                "url": f"{reverse('kpis:kpi_list')}?owner={user.pk}",
            }
        )
    return part
