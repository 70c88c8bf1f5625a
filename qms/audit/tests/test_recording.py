"""Every create, update and delete of a register record lands on the audit trail, in its transaction."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from customers.models import Contact, Customer
from customers.tests.factories import ContactFactory, CustomerFactory
from qms.audit.context import audit_context
from qms.audit.mixins import AuditBypassError
from qms.audit.models import AuditEntry


def entries_for(obj):
    return list(AuditEntry.objects.for_object(obj).order_by("seq"))


@pytest.mark.django_db
def test_create_is_recorded_with_every_field_value():
    customer = CustomerFactory(code="REC-01", name="Recorded Ltd")
    [entry] = entries_for(customer)
    assert entry.action == "create"
    assert entry.content_type == "customers.customer"
    assert entry.object_repr == "Recorded Ltd (REC-01)"
    assert entry.changes["code"] == [None, "REC-01"]
    assert entry.changes["name"] == [None, "Recorded Ltd"]


@pytest.mark.django_db
def test_update_records_only_changed_fields_with_before_and_after():
    customer = CustomerFactory(name="Before Ltd")
    customer.name = "After Ltd"
    customer.save()
    entry = entries_for(customer)[-1]
    assert entry.action == "update"
    assert entry.changes["name"] == ["Before Ltd", "After Ltd"]
    assert "code" not in entry.changes


@pytest.mark.django_db
def test_save_without_changes_writes_no_entry():
    customer = CustomerFactory()
    customer.save()
    assert [entry.action for entry in entries_for(customer)] == ["create"]


@pytest.mark.django_db
def test_delete_cascade_records_each_deleted_record():
    contact = ContactFactory()
    customer = contact.customer
    customer_id, contact_id = customer.pk, contact.pk
    customer.delete()
    deleted = AuditEntry.objects.filter(action="delete")
    assert {(entry.content_type, entry.object_id) for entry in deleted} == {
        ("customers.customer", str(customer_id)),
        ("customers.contact", str(contact_id)),
    }
    contact_entry = deleted.get(content_type="customers.contact")
    assert contact_entry.changes["name"] == [contact.name, None]


@pytest.mark.django_db
def test_queryset_update_records_one_entry_per_row():
    first, second = CustomerFactory(status="active"), CustomerFactory(status="active")
    CustomerFactory(status="inactive")
    count = Customer.objects.filter(status="active").update(status="inactive")
    assert count == 2
    for customer in (first, second):
        entry = entries_for(customer)[-1]
        assert entry.action == "update"
        assert entry.changes == {"status": ["active", "inactive"]}


@pytest.mark.django_db
def test_queryset_delete_records_each_row():
    CustomerFactory.create_batch(3)
    Customer.objects.all().delete()
    assert AuditEntry.objects.filter(action="delete", content_type="customers.customer").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["bulk_create", "bulk_update"])
def test_bulk_writes_that_skip_the_trail_are_refused(method):
    customer = CustomerFactory()
    with pytest.raises(AuditBypassError):
        if method == "bulk_create":
            Customer.objects.bulk_create([Customer(code="BULK-1", name="Bulk")])
        else:
            Customer.objects.bulk_update([customer], ["name"])
    assert not Customer.objects.filter(code="BULK-1").exists()


@pytest.mark.django_db
def test_entry_is_rolled_back_with_the_change():
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        CustomerFactory()
        raise RuntimeError("the change fails after the save")
    assert AuditEntry.objects.count() == before
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_job_context_names_the_source_and_actor(quality):
    with audit_context(source="job", actor=quality, request_id="job-123456"):
        customer = CustomerFactory()
    [entry] = entries_for(customer)
    assert (entry.source, entry.actor_id, entry.actor_name, entry.request_id) == (
        "job",
        quality.pk,
        "Quality Tester",
        "job-123456",
    )


@pytest.mark.django_db
def test_without_context_the_source_is_the_command_line_and_actor_system():
    [entry] = entries_for(CustomerFactory())
    assert (entry.source, entry.actor_id, entry.actor_name) == ("cli", None, "system")


@pytest.mark.django_db
def test_ui_write_records_user_address_request_id_and_source(client_for, quality):
    client = client_for(quality)
    response = client.post(
        "/customers/new/",
        {"code": "UI-01", "name": "Via UI", "segment": "sme", "status": "active"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_REQUEST_ID="req-ui-0000001",
    )
    assert response.status_code == 302
    [entry] = entries_for(Customer.objects.get(code="UI-01"))
    assert (entry.source, entry.actor_id, entry.address, entry.request_id) == (
        "ui",
        quality.pk,
        "10.1.2.3",
        "req-ui-0000001",
    )
    assert response["X-Request-ID"] == "req-ui-0000001"


@pytest.mark.django_db
def test_api_write_with_token_records_the_token_user(client, quality):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=quality)
    response = client.post(
        "/api/v1/customers/",
        {"code": "API-01", "name": "Via API"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 201, response.content
    [entry] = entries_for(Customer.objects.get(code="API-01"))
    assert (entry.source, entry.actor_id) == ("api", quality.pk)


@pytest.mark.django_db
def test_admin_write_is_recorded_as_admin(client_for, superuser):
    customer = CustomerFactory(name="Old name")
    response = client_for(superuser).post(
        f"/admin/customers/customer/{customer.pk}/change/",
        {
            "code": customer.code,
            "name": "New name",
            "segment": "sme",
            "status": "active",
            "country": "GB",
            "notes": "",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entry = entries_for(customer)[-1]
    assert (entry.source, entry.actor_id, entry.changes["name"]) == (
        "admin",
        superuser.pk,
        ["Old name", "New name"],
    )


@pytest.mark.django_db
def test_role_changes_are_recorded(quality):
    group = Group.objects.get(name="Auditor")
    quality.groups.add(group)
    entry = AuditEntry.objects.filter(action="roles", content_type="accounts.user").order_by("-seq").first()
    assert entry.object_id == str(quality.pk)
    assert entry.changes == {"groups added": ["Auditor"]}
    quality.groups.clear()
    entry = AuditEntry.objects.filter(action="roles", content_type="accounts.user").order_by("-seq").first()
    assert entry.changes == {"groups removed": ["Auditor", "Quality manager"]}


@pytest.mark.django_db
def test_group_permission_changes_are_recorded():
    from django.contrib.auth.models import Permission

    group = Group.objects.create(name="Temporary")
    permission = Permission.objects.get(codename="view_customer")
    group.permissions.add(permission)
    group.name = "Renamed"
    group.save()
    actions = list(
        AuditEntry.objects.filter(content_type="auth.group", object_id=str(group.pk))
        .order_by("seq")
        .values_list("action", "changes")
    )
    assert actions[0] == ("create", {"name": [None, "Temporary"]})
    assert actions[1][0] == "roles"
    assert actions[1][1] == {"permissions added": [str(permission)]}
    assert actions[2] == ("update", {"name": ["Temporary", "Renamed"]})


@pytest.mark.django_db
def test_password_is_never_written_to_the_trail(quality):
    quality.set_password("a-new-secret-pass")
    quality.save()
    entry = entries_for(quality)[-1]
    assert entry.changes["password"] == ["(redacted)", "(redacted)"]
    assert "a-new-secret-pass" not in str(entry.changes)


@pytest.mark.django_db
def test_login_does_not_fill_the_trail(client, quality):
    before = AuditEntry.objects.count()
    assert client.login(username="quality", password="pw-quality")
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_each_write_adds_exactly_one_entry():
    contact = ContactFactory()
    before = AuditEntry.objects.count()
    contact.role = "Director"
    contact.save()
    assert AuditEntry.objects.count() == before + 1
    assert Contact.objects.get(pk=contact.pk).role == "Director"


@pytest.mark.django_db
def test_audited_service_records_its_actor_outside_a_request(quality):
    from qms.audit.context import audited_service

    @audited_service
    def rename(*, actor, customer, name):
        customer.name = name
        customer.save()

    customer = CustomerFactory(name="Before")
    with audit_context(source="job", request_id="job-777777"):
        rename(actor=quality, customer=customer, name="After")
    entry = entries_for(customer)[-1]
    assert (entry.actor_id, entry.source, entry.request_id) == (quality.pk, "job", "job-777777")


@pytest.mark.django_db
def test_save_with_update_fields_records_only_what_reached_the_database():
    customer = CustomerFactory(name="Stored name", notes="")
    customer.name = "Unsaved name"
    customer.notes = "Saved notes"
    customer.save(update_fields=["notes"])
    entry = entries_for(customer)[-1]
    assert entry.changes == {"notes": ["", "Saved notes"]}
