"""Permissions and roles in one query per request, the same answers as Django's ModelBackend."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from qms.accounts.backends import OneQueryModelBackend
from qms.accounts.permissions import role_names
from qms.accounts.roles import QUALITY_MANAGER, STAFF


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["quality", "management", "staff", "auditor"])
def test_same_permissions_as_django_in_one_query(persona, personas, django_assert_num_queries):
    user = personas[persona]
    extra = Permission.objects.get(codename="view_group")
    user.user_permissions.add(extra)
    expected = ModelBackend()
    reference = (
        expected.get_user_permissions(_fresh(user)),
        expected.get_group_permissions(_fresh(user)),
        expected.get_all_permissions(_fresh(user)),
    )
    fresh = _fresh(user)
    backend = OneQueryModelBackend()
    with django_assert_num_queries(1):
        answers = (
            backend.get_user_permissions(fresh),
            backend.get_group_permissions(fresh),
            backend.get_all_permissions(fresh),
        )
        roles = role_names(fresh)
    assert answers == reference
    assert "auth.view_group" in answers[0] and "auth.view_group" in answers[2]
    assert roles == frozenset(fresh.groups.values_list("name", flat=True))


@pytest.mark.django_db
def test_a_user_in_two_roles_and_a_plain_group_has_both_roles_only(staff):
    staff.groups.add(Group.objects.get(name=QUALITY_MANAGER), Group.objects.create(name="Canteen"))
    fresh = _fresh(staff)
    OneQueryModelBackend().get_all_permissions(fresh)
    assert role_names(fresh) == frozenset({QUALITY_MANAGER, STAFF})


@pytest.mark.django_db
def test_inactive_users_and_superusers_follow_django(staff, superuser):
    staff.is_active = False
    staff.save()
    backend = OneQueryModelBackend()
    assert backend.get_all_permissions(_fresh(staff)) == set()
    assert backend.get_all_permissions(_fresh(superuser)) == ModelBackend().get_all_permissions(_fresh(superuser))
