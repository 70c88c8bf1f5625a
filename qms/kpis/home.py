"""The KPIs' part of the home page: the dashboard for those who may see it, and the values the signed-in
person owes for the period just ended."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from qms.accounts.permissions import can

from .choices import Frequency, KpiSource
from .models import DashboardSnapshot, Kpi, KpiValue
from .periods import add_periods, period_start


def values_owed(user, *, today=None):
    """The active entered KPIs ``user`` owns with no value yet for the period just ended."""
    today = today or timezone.localdate()
    owed = Kpi.objects.none()
    for frequency in Frequency.values:
        just_ended = add_periods(period_start(today, frequency), -1, frequency)
        recorded = KpiValue.objects.filter(kpi=OuterRef("pk"), period_start=just_ended, value__isnull=False)
        owed |= Kpi.objects.filter(owner=user, active=True, source=KpiSource.ENTERED, frequency=frequency).filter(
            ~Exists(recorded)
        )
    return owed


def kpis_home(user):
    from qms.core.homepage import HomeContribution

    part = HomeContribution()
    if can(user, "view", DashboardSnapshot):
        part.links.append({"label": "Customer-focus dashboard", "url": reverse("kpis:dashboard")})
    owns_entered = Kpi.objects.filter(owner=user, active=True, source=KpiSource.ENTERED).exists()
    if owns_entered and can(user, "view", Kpi) and (can(user, "add", KpiValue) or can(user, "enter", KpiValue)):
        part.figures.append(
            {
                "label": "Your KPIs waiting for last period's value",
                "value": values_owed(user).count(),
                "url": f"{reverse('kpis:kpi_list')}?owner={user.pk}",
            }
        )
    return part
