"""The demo data set: one user per role, a believable register, and a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from customers.models import Contact, Customer
from qms.audit.models import AuditEntry

EXPECTED_ROLES = {
    "quality": "Quality manager",
    "management": "Top management",
    "staff": "Staff",
    "auditor": "Auditor",
    "admin": "Administrator",
}


@pytest.mark.django_db
def test_seed_demo_creates_one_user_per_role_with_the_demo_password():
    call_command("seed_demo", stdout=io.StringIO())
    users = {user.username: user for user in get_user_model().objects.all()}
    assert {name: users[name].role for name in EXPECTED_ROLES} == EXPECTED_ROLES
    assert all(users[name].check_password("qms-demo") for name in EXPECTED_ROLES)
    assert users["admin"].is_superuser and not users["quality"].is_superuser


@pytest.mark.django_db
def test_seed_demo_fills_the_customer_register():
    call_command("seed_demo", stdout=io.StringIO())
    assert Customer.objects.count() >= 8
    assert Contact.objects.count() >= 8
    assert Contact.objects.filter(survey_opt_out=True).exists()
    assert set(Customer.objects.values_list("status", flat=True)) == {"active", "prospect", "inactive"}


@pytest.mark.django_db
def test_running_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (get_user_model().objects.count(), Customer.objects.count(), Contact.objects.count())
    entries = AuditEntry.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert (get_user_model().objects.count(), Customer.objects.count(), Contact.objects.count()) == counts
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_seed_demo_gives_the_dashboards_kpis_with_a_years_history_and_objectives():
    from qms.kpis.models import Kpi, KpiValue, Objective

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert Kpi.objects.filter(source="computed").count() >= 5
    assert Kpi.objects.filter(source="entered").count() >= 2
    on_time = Kpi.objects.get(name="On-time delivery")
    assert KpiValue.objects.filter(kpi=on_time).count() == 12
    complaints = Kpi.objects.get(figure="complaints_received")
    assert KpiValue.objects.filter(kpi=complaints).count() == 13  # twelve closed months and this one
    assert Objective.objects.count() == 2
    assert "kpis:" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_makes_last_periods_summaries_once():
    from qms.reviews.models import Summary

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert sorted(Summary.objects.values_list("kind", flat=True)) == ["monthly", "weekly"]
    assert "summaries: 2 made" in out.getvalue()
    monthly = Summary.objects.get(kind="monthly")
    assert monthly.recipients == ["management@example.com", "quality@example.com"]
    call_command("seed_demo", stdout=(again := io.StringIO()))
    assert Summary.objects.count() == 2 and "summaries: already there" in again.getvalue()
