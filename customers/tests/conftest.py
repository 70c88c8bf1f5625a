"""Fixtures for the customer register's tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def user_in_role(request):
    """``user_in_role("staff")``: that one persona, without creating every other (as ``personas`` does)."""
    fixture_names = {"admin": "superuser"}

    def _user(role: str):
        return request.getfixturevalue(fixture_names.get(role, role))

    return _user
