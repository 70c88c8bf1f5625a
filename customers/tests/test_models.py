"""The customer register's models: codes, uniqueness, contacts and the guards the database keeps."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.choices import CustomerStatus, Segment
from customers.models import Contact, Customer
from customers.tests.factories import ContactFactory, CustomerFactory
from qms.audit.mixins import AuditBypassError

pytestmark = pytest.mark.django_db


def test_customer_str_shows_name_and_code():
    assert str(CustomerFactory(code="ACME-01", name="Acme Ltd")) == "Acme Ltd (ACME-01)"


def test_customer_url_is_its_detail_page():
    customer = CustomerFactory()
    assert customer.get_absolute_url() == f"/customers/{customer.pk}/"


def test_new_customer_is_an_active_small_business_by_default():
    customer = Customer(code="NEW-01", name="New Ltd")
    assert (customer.segment, customer.status) == (Segment.SME, CustomerStatus.ACTIVE)


@pytest.mark.parametrize("typed", ["acme-01", " acme-01 ", "Acme-01"])
def test_full_clean_upper_cases_the_code(typed):
    customer = Customer(code=typed, name="Acme Ltd")
    customer.full_clean()
    assert customer.code == "ACME-01"


@pytest.mark.parametrize("code", ["A", "ACME-01", "A.B_C-9", "9" * 32])
def test_code_in_the_house_format_is_accepted(code):
    Customer(code=code, name="Fine Ltd").full_clean()


@pytest.mark.parametrize("code", ["-ACME", ".ACME", "AC ME", "ACME/01", "ACMÉ", "A" * 33])
def test_code_outside_the_house_format_is_refused_on_the_code_field(code):
    with pytest.raises(ValidationError) as caught:
        Customer(code=code, name="Odd Ltd").full_clean()
    assert "code" in caught.value.message_dict


def test_code_differing_only_in_case_is_refused_on_the_code_field():
    CustomerFactory(code="ACME-01")
    with pytest.raises(ValidationError) as caught:
        Customer(code="acme-01", name="Copy Ltd").full_clean()
    assert list(caught.value.message_dict) == ["code"]


def test_database_refuses_a_code_differing_only_in_case():
    CustomerFactory(code="ACME-01")
    # Straight to the database, past every form and service: the constraint on UPPER(code) holds.
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer(code="acme-01", name="Copy Ltd").save()


def test_contact_str_names_the_customer_code():
    contact = ContactFactory(name="Priya Shah", customer=CustomerFactory(code="ACME-01"))
    assert str(contact) == "Priya Shah (ACME-01)"


def test_contact_url_points_at_its_row_on_the_customer_page():
    contact = ContactFactory()
    assert contact.get_absolute_url() == f"/customers/{contact.customer_id}/#contact-{contact.pk}"


def test_contact_email_already_used_at_the_customer_is_refused_on_the_email_field():
    existing = ContactFactory(email="priya@acme.example")
    with pytest.raises(ValidationError) as caught:
        Contact(customer=existing.customer, name="Priya again", email="priya@acme.example").full_clean()
    assert caught.value.message_dict == {"email": ["This customer already has a contact with this e-mail address."]}


def test_contact_keeps_its_own_email_when_edited():
    contact = ContactFactory(email="priya@acme.example")
    contact.name = "Priya Shah-Becker"
    contact.full_clean()


def test_same_email_may_be_a_contact_at_two_customers():
    ContactFactory(email="buyer@group.example")
    Contact(customer=CustomerFactory(), name="Buyer", email="buyer@group.example").full_clean()


def test_contacts_without_email_do_not_collide():
    first = ContactFactory(email="")
    second = Contact(customer=first.customer, name="No e-mail either", email="")
    second.full_clean()
    second.save()
    assert first.customer.contacts.count() == 2


def test_database_refuses_a_duplicate_contact_email_at_one_customer():
    existing = ContactFactory(email="priya@acme.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact(customer=existing.customer, name="Copy", email="priya@acme.example").save()


@pytest.mark.parametrize("model", [Customer, Contact])
def test_bulk_create_is_refused_because_it_would_bypass_the_audit_trail(model):
    with pytest.raises(AuditBypassError):
        model.objects.bulk_create([])


def test_deleting_a_customer_deletes_its_contacts():
    contact = ContactFactory()
    contact.customer.delete()
    assert not Contact.objects.filter(pk=contact.pk).exists()
