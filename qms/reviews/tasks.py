"""The scheduled summaries' jobs, run by Celery beat on the schedules the quality manager edits
(``django_celery_beat`` rows made by this app's data migration)."""

from __future__ import annotations

from celery import shared_task

# Retried with backoff when compiling or rendering fails (a database hiccup): the once-per-period key
# makes a retry after a partial success send nothing more.
RETRY_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 60,
    "retry_backoff_max": 60 * 30,
    "retry_jitter": True,
    "max_retries": 5,
}


def _send(kind: str, today: str | None) -> dict:
    import datetime as dt

    from .summaries import summary_send

    summary = summary_send(kind=kind, today=dt.date.fromisoformat(today) if today else None)
    if summary is None:
        return {"sent": False, "reason": "already made for this period"}
    return {"sent": True, "summary": summary.pk, "recipients": len(summary.recipients)}


@shared_task(**RETRY_OPTIONS)
def send_monthly_summary(today: str | None = None) -> dict:
    """The management summary of the last complete month (``today``: an ISO date, to run as if on that day)."""
    return _send("monthly", today)


@shared_task(**RETRY_OPTIONS)
def send_weekly_digest(today: str | None = None) -> dict:
    """The top-management digest of the last complete Monday-to-Sunday week."""
    return _send("weekly", today)
