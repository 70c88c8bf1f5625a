"""Roles: the groups, what each holds, and the engine's rules on top."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from qms.accounts.permissions import can
from qms.accounts.roles import AUDITOR, QUALITY_MANAGER, ROLE_NAMES, STAFF, TOP_MANAGEMENT
from qms.audit.models import AuditEntry


def codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


@pytest.mark.django_db
def test_migration_creates_the_four_role_groups():
    assert set(Group.objects.filter(name__in=ROLE_NAMES).values_list("name", flat=True)) == set(ROLE_NAMES)


@pytest.mark.django_db
def test_quality_manager_holds_every_customer_permission():
    assert {
        "view_customer",
        "add_customer",
        "change_customer",
        "delete_customer",
        "import_customer",
        "export_customer",
        "view_auditentry",
    } <= codenames(QUALITY_MANAGER)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [AUDITOR, TOP_MANAGEMENT, STAFF])
def test_read_roles_hold_no_customer_write_permission(role):
    assert not {"add_customer", "change_customer", "delete_customer", "import_customer"} & codenames(role)


@pytest.mark.django_db
def test_auditor_holds_only_read_and_export_permissions():
    assert all(code.split("_", 1)[0] in {"view", "export"} for code in codenames(AUDITOR))


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "may_export"), [(TOP_MANAGEMENT, True), (AUDITOR, True), (STAFF, False)])
def test_export_permission_by_role(role, may_export):
    assert ("export_customer" in codenames(role)) is may_export


@pytest.mark.django_db
def test_auditor_is_refused_writes_even_when_granted_a_write_permission(auditor):
    auditor.user_permissions.add(Permission.objects.get(codename="add_customer"))
    auditor = type(auditor).objects.get(pk=auditor.pk)  # fresh permission cache
    assert auditor.has_perm("customers.add_customer")
    assert not can(auditor, "add", Customer)
    assert can(auditor, "view", Customer)


@pytest.mark.django_db
def test_nobody_may_change_the_audit_trail(superuser):
    for action in ("add", "change", "delete"):
        assert not can(superuser, action, AuditEntry)
    assert can(superuser, "view", AuditEntry)


@pytest.mark.django_db
def test_inactive_user_may_do_nothing(quality):
    quality.is_active = False
    quality.save()
    assert not can(quality, "view", Customer)


@pytest.mark.django_db
def test_restrict_returns_no_rows_without_permission(staff, quality):
    CustomerFactory()
    assert Customer.objects.restrict(staff, "view").count() == 1
    assert Customer.objects.restrict(staff, "change").count() == 0
    assert Customer.objects.restrict(quality, "change").count() == 1


@pytest.mark.django_db
def test_user_role_names_the_role(personas):
    assert {key: user.role for key, user in personas.items()} == {
        "quality": QUALITY_MANAGER,
        "management": TOP_MANAGEMENT,
        "staff": STAFF,
        "auditor": AUDITOR,
        "admin": "Administrator",
    }


@pytest.mark.django_db
def test_roles_are_resynced_after_migrate_when_changed_by_hand():
    from django.core.management import call_command

    group = Group.objects.get(name=STAFF)
    group.permissions.add(Permission.objects.get(codename="delete_customer"))
    call_command("migrate", verbosity=0)
    assert "delete_customer" not in codenames(STAFF)


@pytest.mark.django_db
def test_auditor_with_admin_access_can_only_look(client, auditor):
    customer = CustomerFactory(name="Look Only")
    auditor.is_staff = True
    auditor.save()
    client.force_login(auditor)
    assert client.get("/admin/customers/customer/").status_code == 200
    assert client.get("/admin/customers/customer/add/").status_code == 403
    response = client.post(f"/admin/customers/customer/{customer.pk}/change/", {"name": "Changed"})
    assert response.status_code == 403
    assert client.post(f"/admin/customers/customer/{customer.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Customer.objects.get(pk=customer.pk).name == "Look Only"


@pytest.mark.django_db
def test_object_rules_on_the_model_limit_a_role_to_its_own_records(monkeypatch, quality, staff):
    """The engine's row-level hooks, as the complaint register uses them for staff's own drafts."""
    mine = CustomerFactory(account_owner=quality)
    theirs = CustomerFactory(account_owner=staff)

    def permits(obj, user, action):
        return action == "view" or obj.account_owner_id == user.pk

    def restrict_rows(queryset, user, action):
        return queryset if action == "view" else queryset.filter(account_owner=user)

    monkeypatch.setattr(Customer, "permits", staticmethod(permits), raising=False)
    monkeypatch.setattr(Customer, "restrict_rows", staticmethod(restrict_rows), raising=False)
    assert can(quality, "change", Customer, mine)
    assert not can(quality, "change", Customer, theirs)
    assert list(Customer.objects.restrict(quality, "change")) == [mine]
    assert Customer.objects.restrict(quality, "view").count() == 2
