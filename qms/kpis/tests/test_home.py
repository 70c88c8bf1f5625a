import datetime as dt
from decimal import Decimal

from django.urls import reverse

from qms.kpis.home import values_owed

from .factories import ComputedKpiFactory, KpiFactory, KpiValueFactory

TODAY = dt.date(2026, 11, 25)


def test_values_owed_are_the_owners_entered_kpis_without_last_periods_value(staff, quality):
    owed = KpiFactory(owner=staff, name="On-time delivery")
    KpiFactory(owner=staff, name="Retention", frequency="quarterly")  # Q3 2026 has no value either
    done = KpiFactory(owner=staff, name="Done")
    KpiValueFactory(kpi=done, period_start=dt.date(2026, 10, 1), value=Decimal("96"))
    KpiFactory(owner=staff, name="Inactive", active=False)
    KpiFactory(owner=quality, name="Someone else's")
    ComputedKpiFactory(owner=staff)
    assert sorted(kpi.name for kpi in values_owed(staff, today=TODAY)) == ["On-time delivery", "Retention"]
    assert owed in values_owed(staff, today=TODAY)


def test_home_shows_the_owed_values_only_to_owners_and_the_dashboard_link_to_its_readers(staff, management, client_for):
    KpiFactory(owner=staff)
    staff_home = client_for(staff).get(reverse("home")).content.decode()
    assert "Your KPIs waiting for last period" in staff_home
    assert reverse("kpis:dashboard") not in staff_home  # staff do not see the dashboards
    management_home = client_for(management).get(reverse("home")).content.decode()
    assert "Your KPIs waiting for last period" not in management_home
    assert "Customer-focus dashboard" in management_home
