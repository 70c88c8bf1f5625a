"""Fixtures of the KPI page tests: KPIs owned by the personas, and the personas by role name."""

from __future__ import annotations

import pytest

from .factories import ComputedKpiFactory, KpiFactory

ROLES = ("anon", "quality", "management", "staff", "auditor")


@pytest.fixture
def user_for(personas):
    """``user_for(role)``: the persona of ``role``, None for ``anon``."""

    def _user(role: str):
        return None if role == "anon" else personas[role]

    return _user


@pytest.fixture
def staff_kpi(staff):
    """An entered monthly KPI owned by staff: target 95 (higher is better), warning 90."""
    return KpiFactory(name="On-time delivery", owner=staff)


@pytest.fixture
def management_kpi(management):
    return KpiFactory(name="Order accuracy", owner=management)


@pytest.fixture
def computed_kpi(quality):
    return ComputedKpiFactory(name="Complaints received", owner=quality)
