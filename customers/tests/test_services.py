"""Writes to the customer register: permission, validation naming the field, one audit entry per write."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers import services
from customers.models import Contact, Customer
from customers.tests.factories import ContactFactory, CustomerFactory
from qms.audit.models import AuditEntry
from qms.core.importing import plan_import

pytestmark = pytest.mark.django_db

READ_ONLY_ROLES = ["management", "staff", "auditor"]
VALID = {"code": "ACME-01", "name": "Acme Ltd", "segment": "enterprise", "status": "active", "country": "GB"}


def new_entries(since: int):
    return list(AuditEntry.objects.filter(seq__gt=since).order_by("seq"))


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def test_customer_create_saves_the_customer(quality):
    customer = services.customer_create(actor=quality, data=VALID)
    customer.refresh_from_db()
    assert (customer.code, customer.name, customer.segment, customer.country.code) == (
        "ACME-01",
        "Acme Ltd",
        "enterprise",
        "GB",
    )


def test_customer_create_writes_one_create_entry(quality):
    since = last_seq()
    customer = services.customer_create(actor=quality, data=VALID)
    [entry] = new_entries(since)
    assert (entry.action, entry.content_type, entry.object_id) == ("create", "customers.customer", str(customer.pk))
    assert entry.changes["name"] == [None, "Acme Ltd"]


def test_customer_create_upper_cases_the_code(quality):
    customer = services.customer_create(actor=quality, data={**VALID, "code": "acme-01"})
    assert Customer.objects.get(pk=customer.pk).code == "ACME-01"


def test_customer_create_ignores_fields_that_are_not_the_customers_to_set(quality):
    customer = services.customer_create(actor=quality, data={**VALID, "id": 4242, "created_at": None})
    assert customer.pk != 4242
    assert customer.created_at is not None


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_customer_create_is_refused_to_read_only_roles(user_in_role, role):
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=user_in_role(role), data=VALID)
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**VALID, "name": ""}, "name"),
        ({**VALID, "code": "AC ME"}, "code"),
        ({**VALID, "code": ""}, "code"),
        ({**VALID, "segment": "martian"}, "segment"),
        ({**VALID, "status": "dormant"}, "status"),
        ({**VALID, "country": "XX"}, "country"),
    ],
)
def test_customer_create_names_the_invalid_field(quality, data, field):
    with pytest.raises(ValidationError) as caught:
        services.customer_create(actor=quality, data=data)
    assert field in caught.value.message_dict
    assert not Customer.objects.exists()


def test_customer_create_refuses_a_code_differing_only_in_case(quality):
    CustomerFactory(code="ACME-01")
    with pytest.raises(ValidationError) as caught:
        services.customer_create(actor=quality, data={**VALID, "code": "acme-01"})
    assert "code" in caught.value.message_dict
    assert Customer.objects.count() == 1


def test_customer_update_writes_one_entry_with_before_and_after(quality):
    customer = CustomerFactory(name="Old Name Ltd")
    since = last_seq()
    services.customer_update(actor=quality, customer=customer, data={"name": "New Name Ltd"})
    [entry] = new_entries(since)
    assert entry.action == "update"
    assert entry.changes["name"] == ["Old Name Ltd", "New Name Ltd"]
    assert Customer.objects.get(pk=customer.pk).name == "New Name Ltd"


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_customer_update_is_refused_to_read_only_roles(user_in_role, role):
    customer = CustomerFactory(name="Kept Ltd")
    with pytest.raises(PermissionDenied):
        services.customer_update(actor=user_in_role(role), customer=customer, data={"name": "Changed"})
    assert Customer.objects.get(pk=customer.pk).name == "Kept Ltd"


def test_customer_update_to_another_customers_code_names_the_code_and_changes_nothing(quality):
    CustomerFactory(code="ACME-01")
    customer = CustomerFactory(code="NORD-02", name="Nord")
    since = last_seq()
    with pytest.raises(ValidationError) as caught:
        services.customer_update(actor=quality, customer=customer, data={"code": "acme-01", "name": "X"})
    assert "code" in caught.value.message_dict
    customer.refresh_from_db()
    assert (customer.code, customer.name) == ("NORD-02", "Nord")
    assert new_entries(since) == []


def test_customer_delete_removes_customer_and_contacts_with_an_entry_for_each(quality):
    customer = CustomerFactory()
    contact_ids = [str(contact.pk) for contact in ContactFactory.create_batch(2, customer=customer)]
    customer_id = str(customer.pk)
    since = last_seq()
    services.customer_delete(actor=quality, customer=customer)
    assert not Customer.objects.exists()
    assert not Contact.objects.exists()
    deleted = sorted((entry.action, entry.content_type, entry.object_id) for entry in new_entries(since))
    assert deleted == sorted(
        [("delete", "customers.customer", customer_id)]
        + [("delete", "customers.contact", contact_id) for contact_id in contact_ids]
    )


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_customer_delete_is_refused_to_read_only_roles(user_in_role, role):
    customer = CustomerFactory()
    with pytest.raises(PermissionDenied):
        services.customer_delete(actor=user_in_role(role), customer=customer)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_contact_create_adds_the_contact_to_the_customer_with_one_entry(quality):
    customer = CustomerFactory()
    since = last_seq()
    contact = services.contact_create(
        actor=quality, customer=customer, data={"name": "Priya Shah", "email": "priya@acme.example"}
    )
    assert list(customer.contacts.all()) == [contact]
    [entry] = new_entries(since)
    assert (entry.action, entry.content_type) == ("create", "customers.contact")


def test_contact_create_refuses_an_email_already_used_at_the_customer_on_the_email_field(quality):
    existing = ContactFactory(email="priya@acme.example")
    with pytest.raises(ValidationError) as caught:
        services.contact_create(
            actor=quality, customer=existing.customer, data={"name": "Copy", "email": "priya@acme.example"}
        )
    assert list(caught.value.message_dict) == ["email"]
    assert existing.customer.contacts.count() == 1


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_contact_create_is_refused_to_read_only_roles(user_in_role, role):
    customer = CustomerFactory()
    with pytest.raises(PermissionDenied):
        services.contact_create(actor=user_in_role(role), customer=customer, data={"name": "Nobody"})
    assert not Contact.objects.exists()


def test_contact_update_changes_the_contact_with_one_entry(quality):
    contact = ContactFactory(role="Buyer")
    since = last_seq()
    services.contact_update(actor=quality, contact=contact, data={"role": "Head of purchasing"})
    [entry] = new_entries(since)
    assert entry.changes["role"] == ["Buyer", "Head of purchasing"]


def test_contact_update_may_move_the_contact_to_another_customer(quality):
    contact = ContactFactory()
    other = CustomerFactory()
    services.contact_update(actor=quality, contact=contact, data={"customer": other})
    assert Contact.objects.get(pk=contact.pk).customer == other


def test_contact_update_to_an_email_used_by_a_colleague_names_the_email_field(quality):
    colleague = ContactFactory(email="priya@acme.example")
    contact = ContactFactory(customer=colleague.customer, email="tom@acme.example")
    with pytest.raises(ValidationError) as caught:
        services.contact_update(actor=quality, contact=contact, data={"email": "priya@acme.example"})
    assert list(caught.value.message_dict) == ["email"]
    assert Contact.objects.get(pk=contact.pk).email == "tom@acme.example"


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_contact_update_is_refused_to_read_only_roles(user_in_role, role):
    contact = ContactFactory(role="Buyer")
    with pytest.raises(PermissionDenied):
        services.contact_update(actor=user_in_role(role), contact=contact, data={"role": "Changed"})
    assert Contact.objects.get(pk=contact.pk).role == "Buyer"


def test_contact_delete_removes_only_the_contact_with_one_entry(quality):
    contact = ContactFactory()
    since = last_seq()
    services.contact_delete(actor=quality, contact=contact)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Customer.objects.filter(pk=contact.customer_id).exists()
    [entry] = new_entries(since)
    assert (entry.action, entry.content_type) == ("delete", "customers.contact")


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_contact_delete_is_refused_to_read_only_roles(user_in_role, role):
    contact = ContactFactory()
    with pytest.raises(PermissionDenied):
        services.contact_delete(actor=user_in_role(role), contact=contact)
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_import_row_validation_plans_create_for_a_new_code(db):
    cleaned, action = services.customer_import_validate_row({"code": "new-01", "name": "New Ltd"})
    assert (action, cleaned["code"]) == ("create", "NEW-01")


def test_import_row_validation_plans_update_for_a_known_code_in_any_case(db):
    CustomerFactory(code="ACME-01")
    _, action = services.customer_import_validate_row({"code": "acme-01", "name": "Acme Ltd"})
    assert action == "update"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"code": "", "name": "No code"}, "code"),
        ({"code": "OK-1", "name": ""}, "name"),
        ({"code": "OK-1", "name": "X", "segment": "martian"}, "segment"),
        ({"code": "OK-1", "name": "X", "country": "Narnia"}, "country"),
        ({"code": "OK-1", "name": "X", "account_owner": "nobody"}, "account_owner"),
    ],
)
def test_import_row_validation_names_the_column(db, row, field):
    with pytest.raises(ValidationError) as caught:
        services.customer_import_validate_row(row)
    assert field in caught.value.message_dict


def _plan(records):
    return plan_import(
        records,
        columns=["code", "name", "segment", "status", "country", "account_owner", "notes"],
        required=["code", "name"],
        key="code",
        validate_row=services.customer_import_validate_row,
    )


def test_customer_import_creates_and_updates_by_code(quality):
    CustomerFactory(code="ACME-01", name="Acme old")
    counts = services.customer_import(
        actor=quality,
        plan=_plan([{"code": "acme-01", "name": "Acme new"}, {"code": "NORD-02", "name": "Nordlicht"}]),
    )
    assert counts == {"created": 1, "updated": 1, "unchanged": 0}
    assert sorted(Customer.objects.values_list("code", "name")) == [
        ("ACME-01", "Acme new"),
        ("NORD-02", "Nordlicht"),
    ]


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_customer_import_is_refused_to_read_only_roles(user_in_role, role):
    plan = _plan([{"code": "NEW-01", "name": "New Ltd"}])
    with pytest.raises(PermissionDenied):
        services.customer_import(actor=user_in_role(role), plan=plan)
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_services_record_their_actor_on_the_trail_outside_a_request(quality):
    from customers import services
    from qms.audit.context import audit_context
    from qms.audit.models import AuditEntry

    with audit_context(source="job"):
        customer = services.customer_create(actor=quality, data={"code": "JOB-01", "name": "From a job"})
    entry = AuditEntry.objects.for_object(customer).get()
    assert (entry.actor_id, entry.actor_name, entry.source) == (quality.pk, "Quality Tester", "job")
