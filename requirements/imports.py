"""Import of requirements from CSV/XLSX: preview (nothing saved), then confirm.

The key is ``reference``: a row whose reference exists updates that requirement (a new wording of an
active one becomes a new version, through ``services.requirement_update``); a row without a
reference creates a requirement with the next free number. A column the file leaves out keeps the
stored value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from qms.accounts.permissions import can
from qms.audit.context import audited_service
from qms.core.importing import ImportPlan
from qms.core.views import RegisterImportView

from . import services
from .choices import Criticality, RequirementKind, RequirementStatus
from .models import InterestedParty, Requirement

# The register's own fields, in the order of an export.
IMPORT_COLUMNS = list(services.REQUIREMENT_FIELDS)
REQUIRED_COLUMNS = ["reference", "title"]
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")
CHOICE_COLUMNS = {"kind": RequirementKind, "criticality": Criticality, "status": RequirementStatus}


class RequirementImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="First row: " + ", ".join(IMPORT_COLUMNS) + ". Rows whose reference exists update that "
        "requirement; rows without a reference are numbered automatically.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def _choice(column: str, value: str) -> str:
    choices = CHOICE_COLUMNS[column]
    for key, label in choices.choices:
        if value.lower() in (key, str(label).lower()):
            return key
    raise ValidationError({column: f"“{value}” is not one of: {', '.join(choices.values)}."})


def _date(column: str, value: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValidationError({column: f"“{value}” is not a date; write YYYY-MM-DD or DD/MM/YYYY."})


def _months(column: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValidationError({column: f"“{value}” is not a whole number of months."}) from None


def _customer(column: str, value: str) -> Customer:
    customer = Customer.objects.filter(code__iexact=value).first()
    if customer is None:
        raise ValidationError({column: f"No customer with the code “{value}”."})
    return customer


def _party(column: str, value: str) -> InterestedParty:
    parties = list(InterestedParty.objects.filter(name__iexact=value)[:2])
    if not parties:
        raise ValidationError({column: f"No interested party named “{value}”."})
    if len(parties) > 1:
        raise ValidationError({column: f"Several interested parties are named “{value}”; rename one first."})
    return parties[0]


def _owner(column: str, value: str):
    user = get_user_model().objects.filter(username__iexact=value, is_active=True).first()
    if user is None:
        raise ValidationError({column: f"No active user with the username “{value}”."})
    return user


PARSERS = {
    "kind": _choice,
    "criticality": _choice,
    "status": _choice,
    "customer": _customer,
    "party": _party,
    "owner": _owner,
    "review_frequency_months": _months,
    "next_review_date": _date,
}
# Cells that, left blank, keep the stored value (or the default) rather than clearing it.
KEEP_WHEN_BLANK = {"kind", "criticality", "status", "owner", "review_frequency_months", "next_review_date"}


def _parse_row(data: dict[str, str]) -> dict[str, Any]:
    """The row's cells as model values; raises ValidationError naming every bad column."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for column, raw in data.items():
        raw = (raw or "").strip()
        if column == "reference":
            values[column] = raw.upper()
            continue
        if not raw:
            if column not in KEEP_WHEN_BLANK:
                values[column] = None if column in ("customer", "party") else ""
            continue
        parser = PARSERS.get(column)
        try:
            values[column] = parser(column, raw) if parser else raw
        except ValidationError as exc:
            for field, messages_ in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages_)
    if errors:
        raise ValidationError(errors)
    return values


def requirement_import_validate_row(data: dict[str, str]) -> tuple[dict[str, Any], str]:
    """Validate one imported row against the register as it is now; returns the values and create/update.

    Only the file's columns are returned, so a column left out keeps the stored value.
    """
    values = _parse_row(data)
    reference = values.get("reference", "")
    existing = Requirement.objects.filter(reference__iexact=reference).first() if reference else None
    candidate = existing or Requirement()
    for name, value in values.items():
        setattr(candidate, name, value)
    if existing is None:
        review = values.get("next_review_date")
        if review and review < timezone.localdate():
            raise ValidationError({"next_review_date": "A new requirement's next review cannot be in the past."})
    candidate.full_clean(exclude=[] if reference else ["reference"])
    return values, "update" if existing else "create"


def _changed(requirement: Requirement, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(requirement, name) != value}


@audited_service
def requirement_import(*, actor, plan: ImportPlan) -> dict[str, Any]:
    """Apply the valid rows: update by reference, create the rest. A row the register refuses at this
    moment is skipped with its reasons (``failed``: row number -> errors); the others are kept."""
    if not can(actor, "import", Requirement):
        raise PermissionDenied("You may not import requirements.")
    counts: dict[str, Any] = {"created": 0, "updated": 0, "unchanged": 0, "failed": {}}
    for row in plan.valid_rows:
        values = dict(row.cleaned)
        reference = values.get("reference", "")
        try:
            with transaction.atomic():
                existing = (
                    Requirement.objects.select_for_update().filter(reference__iexact=reference).first()
                    if reference
                    else None
                )
                if existing is None:
                    services.requirement_create(actor=actor, data=values)
                    counts["created"] += 1
                    continue
                changes = _changed(existing, values)
                if not changes:
                    counts["unchanged"] += 1
                    continue
                services.requirement_update(actor=actor, requirement=existing, data=changes)
                counts["updated"] += 1
        except ValidationError as exc:
            counts["failed"][row.number] = exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
    return counts


class RequirementImportView(RegisterImportView):
    model = Requirement
    template_name = "requirements/requirement_import.html"
    columns = IMPORT_COLUMNS
    required = REQUIRED_COLUMNS
    key = "reference"
    upload_form_class = RequirementImportUploadForm
    list_url_name = "requirements:requirement_list"

    def validate_row(self, data):
        return requirement_import_validate_row(data)

    def apply(self, plan):
        return requirement_import(actor=self.request.user, plan=plan)
