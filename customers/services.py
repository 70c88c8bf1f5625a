"""Writes to the customer register. Each runs in one transaction with its audit entries."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from qms.audit.context import audited_service
from qms.core.importing import ImportPlan
from qms.core.services import apply_and_save, require_permission

from .models import Contact, Customer

CUSTOMER_FIELDS = ("code", "name", "segment", "status", "country", "account_owner", "notes")
CONTACT_FIELDS = ("name", "email", "phone", "role", "survey_opt_out")


@audited_service
def customer_create(*, actor, data: dict[str, Any]) -> Customer:
    """Create a customer after full validation; raises ValidationError naming the field."""
    require_permission(actor, "add", Customer)
    customer = Customer()
    apply_and_save(customer, data, CUSTOMER_FIELDS)
    return customer


@audited_service
def customer_update(*, actor, customer: Customer, data: dict[str, Any]) -> Customer:
    """Change the given fields of a customer."""
    require_permission(actor, "change", Customer, customer)
    apply_and_save(customer, data, CUSTOMER_FIELDS)
    return customer


@audited_service
def customer_delete(*, actor, customer: Customer) -> None:
    """Delete a customer and its contacts (each deletion is on the audit trail)."""
    require_permission(actor, "delete", Customer, customer)
    customer.delete()


@audited_service
def contact_create(*, actor, customer: Customer, data: dict[str, Any]) -> Contact:
    require_permission(actor, "add", Contact)
    contact = Contact(customer=customer)
    apply_and_save(contact, data, CONTACT_FIELDS)
    return contact


@audited_service
def contact_update(*, actor, contact: Contact, data: dict[str, Any]) -> Contact:
    require_permission(actor, "change", Contact, contact)
    apply_and_save(contact, data, CONTACT_FIELDS + ("customer",))
    return contact


@audited_service
def contact_delete(*, actor, contact: Contact) -> None:
    require_permission(actor, "delete", Contact, contact)
    contact.delete()


def _import_values(customer: Customer) -> dict[str, str]:
    """A customer as an import row would give it, for the columns a file leaves out."""
    return {
        "code": customer.code,
        "name": customer.name,
        "segment": customer.segment,
        "status": customer.status,
        "country": customer.country.code or "",
        "account_owner": customer.account_owner.username if customer.account_owner else "",
        "notes": customer.notes,
    }


def customer_import_validate_row(data: dict[str, str]) -> tuple[dict[str, Any], str]:
    """Validate one imported row as the form would; returns the cleaned values and create/update.

    Only the columns present in the file are returned: a column the file leaves out keeps the
    existing customer's value instead of clearing it.
    """
    from .forms import CustomerImportRowForm

    code = (data.get("code") or "").strip().upper()
    existing = Customer.objects.select_related("account_owner").filter(code__iexact=code).first() if code else None
    form_data = {**_import_values(existing), **data} if existing else data
    form = CustomerImportRowForm(data=form_data, instance=existing)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    cleaned = {name: value for name, value in form.cleaned_data.items() if name in data}
    return cleaned, "update" if existing else "create"


@audited_service
def customer_import(*, actor, plan: ImportPlan) -> dict[str, int]:
    """Apply the valid rows of an import plan: update by code, create the rest. Invalid rows are skipped."""
    require_permission(actor, "import", Customer)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in plan.valid_rows:
        data = dict(row.cleaned)
        existing = Customer.objects.select_for_update().filter(code__iexact=data["code"]).first()
        if existing is None:
            require_permission(actor, "add", Customer)
            customer = Customer()
            apply_and_save(customer, data, CUSTOMER_FIELDS)
            counts["created"] += 1
        else:
            require_permission(actor, "change", Customer, existing)
            before = [getattr(existing, name) for name in CUSTOMER_FIELDS]
            for name in CUSTOMER_FIELDS:
                setattr(existing, name, data.get(name, getattr(existing, name)))
            if [getattr(existing, name) for name in CUSTOMER_FIELDS] == before:
                counts["unchanged"] += 1
                continue
            existing.full_clean()
            existing.save()
            counts["updated"] += 1
    return counts
