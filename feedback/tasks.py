"""Scheduled jobs of the feedback register."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from qms.audit.context import audit_context

from .escalations import escalations_send


@shared_task(
    name="feedback.tasks.escalate_time_targets",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=60 * 10,
    retry_jitter=True,
    max_retries=3,
)
def escalate_time_targets() -> dict[str, int]:
    """Every 15 minutes: warn before complaint time targets are missed, and tell the quality managers when
    they are. Safe to run twice or on two workers at once (each notice is claimed before it is queued);
    the e-mails go out with the outbox job."""
    with audit_context(source="job"):
        return escalations_send()


# Surveys (9.1.2) -------------------------------------------------------------------------------------


@shared_task(
    name="feedback.tasks.send_campaign_invitations",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=60 * 10,
    retry_jitter=True,
    max_retries=5,
)
def send_campaign_invitations(campaign_id: int) -> int:
    """Queue the invitation e-mails of a campaign being sent, in batches, then open it. Safe to run twice
    (each invitation is claimed before its e-mail is queued); returns how many this run queued."""
    from .services import survey_delivery

    with audit_context(source="job"):
        return survey_delivery.invitations_send_all(campaign_id=campaign_id)


@shared_task(
    name="feedback.tasks.send_survey_reminders",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=60 * 10,
    retry_jitter=True,
    max_retries=3,
)
def send_survey_reminders() -> dict[str, int]:
    """Hourly: finish any campaign still being sent, then send the survey reminders now due, each once."""
    from .services import survey_delivery

    with audit_context(source="job"):
        resumed = survey_delivery.campaigns_resume_sending()
        return {**survey_delivery.reminders_send(), "invitations": resumed}


@shared_task(
    name="feedback.tasks.close_due_campaigns",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=60 * 10,
    retry_jitter=True,
    max_retries=3,
)
def close_due_campaigns() -> int:
    """Hourly: close the survey campaigns whose closing time has come; unanswered invitations expire."""
    from .services import survey_delivery

    with audit_context(source="job"):
        return survey_delivery.campaigns_close_due()
