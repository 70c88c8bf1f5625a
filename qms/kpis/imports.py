"""Import of KPI values from CSV/XLSX: preview (nothing saved), then confirm.

Columns ``kpi`` (the KPI's name), ``period`` (YYYY-MM, or YYYY-MM-DD on the first day of the month or
quarter), ``value`` and ``note``; one row per KPI and period. Each valid row goes through
``services.value_record(origin="import")``, so a period that has a value is corrected, and a row for a
KPI the user may not enter is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qms.accounts.permissions import can, is_auditor
from qms.audit.context import audited_service
from qms.core.importing import ImportPlan, plan_import
from qms.core.views import RegisterImportView

from . import services
from .choices import ValueOrigin
from .models import Kpi, KpiValue
from .periods import period_start

IMPORT_COLUMNS = ["kpi", "period", "value", "note"]
REQUIRED_COLUMNS = ["kpi", "period", "value"]


class ValueImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="First row: kpi, period, value, note. A KPI and period that already have a value are corrected.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def may_import_values(user) -> bool:
    """Quality managers, and KPI owners who may enter their KPIs' values (auditors never)."""
    if not getattr(user, "is_authenticated", False) or is_auditor(user):
        return False
    if can(user, "add", KpiValue):
        return True
    return can(user, "enter", KpiValue) and Kpi.objects.filter(owner=user).exists()


def _period(raw: str, kpi: Kpi | None) -> dt.date:
    text = raw.strip()[:10]
    try:
        day = dt.date.fromisoformat(text) if len(text) > 7 else dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationError({"period": f"“{raw}” is not a period; write YYYY-MM or YYYY-MM-DD."}) from None
    if kpi is not None and period_start(day, kpi.frequency) != day:
        kind = kpi.get_frequency_display().lower()
        raise ValidationError(
            {"period": f"Give the first day of the {kind} period (e.g. {period_start(day, kpi.frequency)})."}
        )
    return day


def value_import_validate_row(data: dict[str, str], *, user) -> tuple[dict[str, Any], str]:
    """Check one row as ``value_record`` would: the KPI by name, the user's right to enter it, the
    period and the number. Returns the values and whether the period's value is created or updated."""
    errors: dict[str, list[str]] = {}
    name = (data.get("kpi") or "").strip()
    kpi = Kpi.objects.select_related("owner").filter(name__iexact=name).first() if name else None
    if not name:
        errors["kpi"] = ["Give the KPI's name."]
    elif kpi is None:
        errors["kpi"] = [f"No KPI is named “{name}”."]
    elif kpi.is_computed:
        errors["kpi"] = [f"{kpi.name} is computed by the portal; its values cannot be imported."]
    elif not services.may_enter_values(user, kpi):
        errors["kpi"] = [f"You may not enter values of {kpi.name}: only its owner or a quality manager may."]
    values: dict[str, Any] = {"kpi": kpi.pk if kpi else None, "note": (data.get("note") or "").strip()}
    try:
        values["period_start"] = _period(data.get("period") or "", kpi if kpi and "kpi" not in errors else None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        number = services.parse_value(data.get("value"))
        if number is None:
            errors["value"] = ["Give the value for the period."]
        values["value"] = str(number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    exists = KpiValue.objects.filter(kpi=kpi, period_start=values["period_start"]).exists()
    values["period_start"] = values["period_start"].isoformat()
    return values, "update" if exists else "create"


@audited_service
def value_import(*, actor, plan: ImportPlan) -> dict[str, Any]:
    """Apply the valid rows with ``value_record``; a row refused at this moment is skipped with its reasons."""
    if not may_import_values(actor):
        raise PermissionDenied("You may not import KPI values.")
    counts: dict[str, Any] = {"created": 0, "updated": 0, "unchanged": 0, "failed": {}}
    for row in plan.valid_rows:
        values = row.cleaned
        start = dt.date.fromisoformat(values["period_start"])
        try:
            with transaction.atomic():
                kpi = Kpi.objects.select_related("owner").get(pk=values["kpi"])
                existed = KpiValue.objects.filter(kpi=kpi, period_start=start).exists()
                services.value_record(
                    actor=actor,
                    kpi=kpi,
                    period_start=start,
                    value=values["value"],
                    note=values["note"],
                    origin=ValueOrigin.IMPORT,
                )
        except (ValidationError, PermissionDenied, Kpi.DoesNotExist) as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                counts["failed"][row.number] = exc.message_dict
            else:
                counts["failed"][row.number] = {"kpi": [str(exc) or "This KPI no longer exists."]}
            continue
        counts["updated" if existed else "created"] += 1
    return counts


class ValueImportView(RegisterImportView):
    model = KpiValue
    # Checked in ``dispatch`` instead: KpiValue has no "import" permission.
    permission_action = "view"
    template_name = "kpis/value_import.html"
    columns = IMPORT_COLUMNS
    required = REQUIRED_COLUMNS
    key = ""
    upload_form_class = ValueImportUploadForm
    list_url_name = "kpis:kpi_list"

    def dispatch(self, request, *args, **kwargs):
        # KpiValue has no "import" permission: whoever may enter values of a KPI may import them.
        if request.user.is_authenticated and not may_import_values(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _plan(self, records):
        plan = plan_import(
            records, columns=self.columns, required=self.required, key="", validate_row=self.validate_row
        )
        # The key is the KPI and the period together: the second row for the same pair is refused.
        seen: dict[tuple, int] = {}
        for row in plan.rows:
            if not row.valid:
                continue
            pair = (row.cleaned["kpi"], row.cleaned["period_start"])
            if pair in seen:
                row.errors = {"period": [f"Repeats row {seen[pair]}; each KPI and period may appear once per file."]}
                row.action = ""
            else:
                seen[pair] = row.number
        return plan

    def validate_row(self, data):
        return value_import_validate_row(data, user=self.request.user)

    def apply(self, plan):
        return value_import(actor=self.request.user, plan=plan)
