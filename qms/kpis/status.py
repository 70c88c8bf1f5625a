"""Red / amber / green status of a value against a target, in either direction. Pure functions."""

from __future__ import annotations

from decimal import Decimal

from .choices import Direction, ObjectiveStatus, Rag


def rag(value: Decimal | float | None, target, warning=None, direction: str = Direction.HIGHER) -> str:
    """Green when the target is met; amber when the warning threshold is met (the value is near the
    target); red otherwise. "none" when there is no value or no target.

    Higher is better: green at value ≥ target, amber at warning ≤ value < target.
    Lower is better: green at value ≤ target, amber at target < value ≤ warning.
    Without a warning threshold a value is either green or red.
    """
    if value is None or target is None:
        return Rag.NONE
    value, target = Decimal(str(value)), Decimal(str(target))
    warning = None if warning is None else Decimal(str(warning))
    if direction == Direction.LOWER:
        if value <= target:
            return Rag.GREEN
        return Rag.AMBER if warning is not None and value <= warning else Rag.RED
    if value >= target:
        return Rag.GREEN
    return Rag.AMBER if warning is not None and value >= warning else Rag.RED


def warning_error(target, warning, direction: str) -> str | None:
    """Why a warning threshold does not fit the target and direction, or None when it fits."""
    if warning is None or target is None:
        return None
    if direction == Direction.HIGHER and warning > target:
        return "When higher is better the warning threshold must be at or below the target."
    if direction == Direction.LOWER and warning < target:
        return "When lower is better the warning threshold must be at or above the target."
    return None


def objective_status(statuses: list[str], *, target_date_passed: bool) -> str | None:
    """An objective's status from its KPIs' latest statuses; None when no KPI has a value yet.

    Any red → off track; any amber → at risk; all green → achieved once the target date has passed,
    on track before it.
    """
    measured = [status for status in statuses if status != Rag.NONE]
    if not measured:
        return None
    if Rag.RED in measured:
        return ObjectiveStatus.OFF_TRACK
    if Rag.AMBER in measured:
        return ObjectiveStatus.AT_RISK
    if target_date_passed and len(measured) == len(statuses):
        return ObjectiveStatus.ACHIEVED
    return ObjectiveStatus.ON_TRACK
