"""Writes to KPIs, their values, order volumes and objectives, checked on the server whatever the page
or API allowed; and the nightly computation of the computed KPIs. Each write is one transaction with
its audit entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.accounts.permissions import can, is_auditor
from qms.audit.context import audit_context, audited_service
from qms.audit.recorder import lock_audit_chain
from qms.core.services import apply_and_save, require_permission

from .choices import KpiSource, Rag, ValueOrigin
from .models import Kpi, KpiValue, Objective, ObjectiveCounter, ObjectiveKpi, OrderVolume
from .periods import add_periods, is_closed, period_end, period_label, period_start
from .status import rag

KPI_FIELDS = (
    "name",
    "description",
    "unit",
    "direction",
    "target",
    "warning_threshold",
    "frequency",
    "owner",
    "source",
    "figure",
    "segment",
    "product",
    "opens_action_on_miss",
    "action_due_days",
    "active",
)
OBJECTIVE_FIELDS = ("statement", "owner", "target_date", "status_override", "override_reason")


# KPIs -------------------------------------------------------------------------------------------------


@audited_service
def kpi_create(*, actor, **fields: Any) -> Kpi:
    """Define a KPI (quality managers)."""
    require_permission(actor, "add", Kpi)
    kpi = Kpi()
    apply_and_save(kpi, fields, KPI_FIELDS)
    if kpi.is_computed:
        compute_kpi(kpi)
    return kpi


@audited_service
def kpi_update(*, actor, kpi: Kpi, **fields: Any) -> Kpi:
    """Change a KPI's definition. Its frequency cannot change once it has values (they are per period)."""
    require_permission(actor, "change", Kpi, kpi)
    unknown = sorted(set(fields) - set(KPI_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: "This field cannot be changed here."})
    if "frequency" in fields and fields["frequency"] != kpi.frequency and kpi.values.exists():
        raise ValidationError(
            {"frequency": "This KPI already has values per period; define a new KPI for another frequency."}
        )
    for name in ("source", "figure", "segment", "product"):
        if name in fields and fields[name] != getattr(kpi, name) and kpi.values.exists():
            raise ValidationError(
                {name: "This KPI already has values measured this way; define a new KPI to measure something else."}
            )
    apply_and_save(kpi, fields, KPI_FIELDS)
    if kpi.is_computed:
        compute_kpi(kpi)
    return kpi


@audited_service
def kpi_delete(*, actor, kpi: Kpi) -> None:
    """Delete a KPI that has no values and measures no objective; otherwise deactivate it."""
    require_permission(actor, "delete", Kpi, kpi)
    if kpi.values.exists():
        raise ValidationError(
            "This KPI has recorded values, which are evidence: make it inactive instead of deleting it."
        )
    if kpi.measures.exists():
        raise ValidationError("This KPI measures a quality objective: unlink it from the objective first.")
    kpi.delete()


# Values -----------------------------------------------------------------------------------------------


def may_enter_values(user, kpi: Kpi) -> bool:
    """Quality managers enter any entered KPI's values; its owner enters their own. Never auditors."""
    if not getattr(user, "is_authenticated", False) or is_auditor(user):
        return False
    if can(user, "add", KpiValue):
        return True
    return can(user, "enter", KpiValue) and kpi.owner_id == user.pk


def parse_value(raw) -> Decimal | None:
    """A number from a form, the API or a spreadsheet cell ("87.5", "87,5", 87.5, "87.5 %"); empty → None."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, bool):
        raise ValidationError({"value": "Give a number."})
    if isinstance(raw, int | float):
        return Decimal(str(raw))
    text = str(raw).strip().rstrip("%").strip().replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({"value": f"“{raw}” is not a number."}) from None
    if not value.is_finite():
        raise ValidationError({"value": "Give a finite number."})
    return value


def _check_period(kpi: Kpi, start: dt.date, today: dt.date) -> None:
    if start is None:
        raise ValidationError({"period_start": "Give the period."})
    if period_start(start, kpi.frequency) != start:
        raise ValidationError(
            {"period_start": f"Give the first day of the {kpi.get_frequency_display().lower()} period."}
        )
    if start > period_start(today, kpi.frequency):
        raise ValidationError({"period_start": "Values cannot be entered for a period that has not started."})


@audited_service
def value_record(
    *,
    actor,
    kpi: Kpi,
    period_start: dt.date,
    value,
    note: str = "",
    origin: str = ValueOrigin.FORM,
    today: dt.date | None = None,
) -> KpiValue:
    """Enter (or correct) an entered KPI's value for one period; a closed period that misses the target
    opens an action when the KPI says so."""
    if not may_enter_values(actor, kpi):
        raise PermissionDenied("Only the KPI's owner or a quality manager may enter its values.")
    if kpi.source == KpiSource.COMPUTED:
        raise ValidationError({"value": "This KPI is computed by the portal; its values cannot be entered by hand."})
    today = today or timezone.localdate()
    _check_period(kpi, period_start, today)
    number = parse_value(value)
    if number is None:
        raise ValidationError({"value": "Give the value for the period."})
    if abs(number) >= Decimal("1e12"):
        raise ValidationError({"value": "This value is too large."})
    number = number.quantize(Decimal("0.01"))
    stored, _ = KpiValue.objects.select_for_update().get_or_create(
        kpi=kpi,
        period_start=period_start,
        defaults={"origin": origin, "recorded_at": timezone.now(), "recorded_by": actor},
    )
    stored.value = number
    stored.note = (note or "").strip()
    stored.origin = origin
    stored.recorded_by = actor
    stored.recorded_at = timezone.now()
    stored.final = is_closed(period_start, today, kpi.frequency)
    stored.full_clean()
    stored.save()
    if stored.final:
        open_action_on_miss(stored, today=today)
    return stored


@audited_service
def value_delete(*, actor, value: KpiValue) -> None:
    """Remove a wrongly entered value (quality managers)."""
    require_permission(actor, "delete", KpiValue, value)
    if value.kpi.source == KpiSource.COMPUTED:
        raise ValidationError("Computed values are recomputed by the portal; they are not deleted by hand.")
    value.delete()


@audited_service
def order_volume_set(*, actor, month: dt.date, orders) -> OrderVolume:
    """Record the orders delivered in a month (the denominator of complaints per 1,000 orders)."""
    require_permission(actor, "add", OrderVolume)
    if month is None:
        raise ValidationError({"month": "Give the month."})
    month = month.replace(day=1)
    try:
        count = int(orders)
    except (TypeError, ValueError):
        raise ValidationError({"orders": "Give the number of orders, a whole number."}) from None
    if count < 0:
        raise ValidationError({"orders": "The number of orders cannot be negative."})
    volume = OrderVolume.objects.select_for_update().filter(month=month).first() or OrderVolume(month=month)
    volume.orders = count
    volume.entered_by = actor
    volume.full_clean()
    volume.save()
    return volume


# Actions on a missed target ---------------------------------------------------------------------------


def open_action_on_miss(value: KpiValue, *, today: dt.date | None = None):
    """Open one corrective action for a closed period that missed its KPI's target (once per value).

    Does nothing when the KPI does not ask for it, when the period met the target or had no value, or
    when the value already has its action.
    """
    from qms.actions.models import Action

    kpi = value.kpi
    if not (kpi.opens_action_on_miss and value.final) or value.action_id:
        return None
    status = rag(value.value, kpi.target, kpi.warning_threshold, kpi.direction)
    if status not in (Rag.RED, Rag.AMBER):
        # Amber is near the target but still a miss: both open the action.
        return None
    today = today or timezone.localdate()
    label = period_label(value.period_start, kpi.frequency)
    action = Action(
        kind="corrective",
        title=f"{kpi.name} missed its target in {label}"[:200],
        description=(
            f"{kpi.name} was {value.value} {kpi.unit} in {label} against a target of {kpi.target} {kpi.unit} "
            f"({kpi.get_direction_display().lower()}). Find the cause and act on it."
        ),
        owner=kpi.owner,
        due_date=today + dt.timedelta(days=kpi.action_due_days),
        source=kpi,
        source_label=str(kpi)[:255],
    )
    action.full_clean()
    action.save()
    KpiValue.objects.filter(pk=value.pk).update(action=action)
    value.action = action
    return action


# The nightly computation ------------------------------------------------------------------------------


HISTORY_PERIODS = 12


def _store_computed(kpi: Kpi, start: dt.date, today: dt.date, now: dt.datetime, existing: KpiValue | None):
    """Compute one period of a computed KPI and store it; returns the stored value."""
    closed = is_closed(start, today, kpi.frequency)
    end = period_end(start, kpi.frequency) if closed else today
    number = kpi.registered_figure.value(start, end, segment=kpi.segment, product=kpi.product)
    value = existing or KpiValue(kpi=kpi, period_start=start, origin=ValueOrigin.COMPUTED)
    if existing is not None and value.value == number and value.final == closed:
        return value
    value.value, value.final, value.origin, value.recorded_by = number, closed, ValueOrigin.COMPUTED, None
    value.recorded_at = now
    try:
        with transaction.atomic():
            value.save()
    except IntegrityError:
        # Another run stored this period at the same moment: theirs stands.
        return KpiValue.objects.get(kpi=kpi, period_start=start)
    return value


def compute_kpi(kpi: Kpi, *, today: dt.date | None = None) -> int:
    """Compute one computed KPI: the current period to date, the period just ended, and — for figures that
    can be computed again for the past (flow figures) — every earlier closed period of the last twelve
    without a value yet, so a new KPI shows its history at once.

    A closed period's value is final: computed once, after the period ended, then kept (snapshot figures
    could not be computed again for the past). Only the period just ended can open an action for a
    missed target, once. Returns how many periods were computed.
    """
    from .figures import FLOW

    figure = kpi.registered_figure
    if figure is None or not kpi.active:
        return 0
    today = today or timezone.localdate()
    now = timezone.now()
    current = period_start(today, kpi.frequency)
    just_ended = add_periods(current, -1, kpi.frequency)
    oldest = add_periods(current, -HISTORY_PERIODS, kpi.frequency) if figure.kind == FLOW else just_ended
    stored = {value.period_start: value for value in KpiValue.objects.filter(kpi=kpi, period_start__gte=oldest)}
    computed = 0
    start = oldest
    while start <= current:
        existing = stored.get(start)
        if existing is None or not existing.final:
            with transaction.atomic():
                value = _store_computed(kpi, start, today, now, existing)
                if start == just_ended:
                    open_action_on_miss(value, today=today)
            computed += 1
        start = add_periods(start, 1, kpi.frequency)
    return computed


def compute_kpi_values(*, today: dt.date | None = None, kpis=None) -> dict[str, int]:
    """The nightly job: ``compute_kpi`` for every active computed KPI (or those of ``kpis``). Idempotent:
    running it again the same day changes nothing but the current period's value when the data changed.
    Returns how many KPIs and periods were computed."""
    counts = {"kpis": 0, "values": 0}
    queryset = kpis if kpis is not None else Kpi.objects.filter(active=True, source=KpiSource.COMPUTED)
    with audit_context(source="job"):
        for kpi in queryset.select_related("owner").order_by("pk"):
            counts["kpis"] += 1
            counts["values"] += compute_kpi(kpi, today=today)
    return counts


# Objectives -------------------------------------------------------------------------------------------


def _next_objective_reference() -> str:
    lock_audit_chain()  # always before the counter: the same order in every transaction
    ObjectiveCounter.objects.get_or_create(pk=1)
    counter = ObjectiveCounter.objects.select_for_update().get(pk=1)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"OBJ-{counter.last:04d}"


def _set_measures(objective: Objective, measures: list[dict] | None) -> None:
    """Replace the objective's KPIs: ``[{"kpi": Kpi, "target": Decimal | None}, ...]``."""
    if measures is None:
        return
    kpis = [row["kpi"] for row in measures]
    if len({kpi.pk for kpi in kpis}) != len(kpis):
        raise ValidationError({"kpis": "Each KPI can measure the objective once."})
    wanted = {row["kpi"].pk: row.get("target") for row in measures}
    for link in objective.measures.all():
        if link.kpi_id not in wanted:
            link.delete()
    for kpi_id, target in wanted.items():
        link = ObjectiveKpi.objects.filter(objective=objective, kpi_id=kpi_id).first()
        if link is None:
            ObjectiveKpi.objects.create(objective=objective, kpi_id=kpi_id, target=target)
        elif link.target != target:
            link.target = target
            link.save()


@audited_service
def objective_create(*, actor, measures: list[dict] | None = None, **fields: Any) -> Objective:
    """Set a quality objective (quality managers), with the KPIs that measure it."""
    require_permission(actor, "add", Objective)
    objective = Objective()
    for name, value in fields.items():
        if name in OBJECTIVE_FIELDS:
            setattr(objective, name, value)
    objective.reference = "OBJ-pending"
    objective.full_clean(exclude=["reference"])
    objective.reference = _next_objective_reference()
    objective.save()
    _set_measures(objective, measures)
    return objective


@audited_service
def objective_update(*, actor, objective: Objective, measures: list[dict] | None = None, **fields: Any) -> Objective:
    require_permission(actor, "change", Objective, objective)
    if not fields.get("status_override", objective.status_override):
        fields["override_reason"] = ""
    apply_and_save(objective, fields, OBJECTIVE_FIELDS)
    _set_measures(objective, measures)
    return objective


@audited_service
def objective_delete(*, actor, objective: Objective) -> None:
    require_permission(actor, "delete", Objective, objective)
    objective.delete()
