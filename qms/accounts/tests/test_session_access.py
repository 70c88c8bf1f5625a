"""Permissions kept in the session: read once, never used once the user's roles or permissions change."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.accounts.roles import QUALITY_MANAGER, STAFF
from qms.accounts.session_access import SESSION_KEY

pytestmark = pytest.mark.django_db

REGISTER_WRITE_URL = "/customers/new/"  # quality managers may add customers, staff may not


def _permission_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured.captured_queries if "auth_permission" in q["sql"]]


def _version(user) -> int:
    return get_user_model().objects.values_list("access_version", flat=True).get(pk=user.pk)


def test_sign_in_keeps_the_permissions_and_pages_do_not_read_them_again(client, quality):
    client.force_login(quality)
    stored = client.session[SESSION_KEY]
    assert stored[:3] == [quality.pk, _version(quality), False] and QUALITY_MANAGER in stored[5]
    assert "customers.add_customer" in stored[4]
    for url in ("/", "/customers/", REGISTER_WRITE_URL):
        response, reads = _permission_queries(client, url)
        assert response.status_code == 200 and reads == [], url


def test_a_role_taken_away_applies_on_the_next_request(client, quality):
    client.force_login(quality)
    assert client.get(REGISTER_WRITE_URL).status_code == 200
    before = _version(quality)
    quality.groups.remove(Group.objects.get(name=QUALITY_MANAGER))
    quality.groups.add(Group.objects.get(name=STAFF))
    assert _version(quality) > before
    response, reads = _permission_queries(client, REGISTER_WRITE_URL)
    assert response.status_code == 403 and len(reads) == 1
    assert STAFF in client.session[SESSION_KEY][5] and QUALITY_MANAGER not in client.session[SESSION_KEY][5]
    # Kept again from then on.
    assert _permission_queries(client, "/customers/")[1] == []


def test_a_role_given_through_the_group_side_and_cleared_applies(client, staff):
    client.force_login(staff)
    assert client.get(REGISTER_WRITE_URL).status_code == 403
    quality_role = Group.objects.get(name=QUALITY_MANAGER)
    quality_role.user_set.add(staff)
    assert client.get(REGISTER_WRITE_URL).status_code == 200
    quality_role.user_set.clear()
    assert client.get(REGISTER_WRITE_URL).status_code == 403


def test_a_roles_permissions_changed_or_the_role_deleted_apply(client, staff):
    client.force_login(staff)
    staff_role = Group.objects.get(name=STAFF)
    add_customer = Permission.objects.get(codename="add_customer", content_type__app_label="customers")
    staff_role.permissions.add(add_customer)
    assert client.get(REGISTER_WRITE_URL).status_code == 200
    staff_role.permissions.remove(add_customer)
    assert client.get(REGISTER_WRITE_URL).status_code == 403
    add_customer.group_set.add(staff_role)  # from the permission's side
    assert client.get(REGISTER_WRITE_URL).status_code == 200
    staff_role.delete()
    assert client.get(REGISTER_WRITE_URL).status_code == 403


def test_a_users_own_permission_given_and_taken_applies(client, staff):
    client.force_login(staff)
    add_customer = Permission.objects.get(codename="add_customer", content_type__app_label="customers")
    staff.user_permissions.add(add_customer)
    assert client.get(REGISTER_WRITE_URL).status_code == 200
    add_customer.user_set.clear()
    assert client.get(REGISTER_WRITE_URL).status_code == 403


def test_a_copy_for_another_user_or_an_old_version_is_never_used(client, quality, staff):
    client.force_login(quality)
    quality_copy = client.session[SESSION_KEY]
    client.force_login(staff)

    def forge(pk, version):
        session = client.session
        session[SESSION_KEY] = [pk, version, False, *quality_copy[3:]]
        session.save()

    forge(staff.pk, _version(staff))  # the control: a current copy is what the page goes by
    assert client.get(REGISTER_WRITE_URL).status_code == 200
    forge(quality.pk, _version(staff))
    assert client.get(REGISTER_WRITE_URL).status_code == 403
    forge(staff.pk, _version(staff) + 1)
    assert client.get(REGISTER_WRITE_URL).status_code == 403


def test_bumping_writes_no_audit_entry(quality):
    from qms.audit.models import AuditEntry

    before = AuditEntry.objects.count()
    quality.groups.add(Group.objects.get(name=STAFF))
    # The role change itself is on the trail; the version number is bookkeeping.
    assert not any("access_version" in entry.changes for entry in AuditEntry.objects.order_by("seq")[before:])


def test_an_api_call_with_a_token_starts_no_session(quality):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=quality)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/customers/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_a_superuser_keeps_roles_only_and_loses_them_when_demoted(client, superuser):
    client.force_login(superuser)
    assert client.session[SESSION_KEY][2:5] == [True, None, None]
    response, reads = _permission_queries(client, REGISTER_WRITE_URL)
    assert response.status_code == 200 and reads == []
    superuser.is_superuser = False
    superuser.save()  # not a role change, but the flag is part of what the copy must match
    assert client.get(REGISTER_WRITE_URL).status_code == 403
