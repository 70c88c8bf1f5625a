"""KPI jobs run by Celery beat."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def compute_kpis(today: str | None = None) -> dict[str, int]:
    """Nightly: every active computed KPI for the period just ended and the current period to date
    (``today``: an ISO date, for re-running a given day; safe to run twice)."""
    import datetime as dt

    from .services import compute_kpi_values

    return compute_kpi_values(today=dt.date.fromisoformat(today) if today else None)


@shared_task(acks_late=True, expires=60 * 9)
def refresh_dashboard() -> str:
    """Every 10 minutes: rebuild the default scorecard (last 12 months, no filter), so the first reader
    after a quiet spell does not wait for it. Safe to run twice: the snapshot is replaced, not added."""
    from .scorecard import refresh_default

    return refresh_default()["computed_at"]
