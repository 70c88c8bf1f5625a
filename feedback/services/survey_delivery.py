"""Sending surveys and receiving answers (9.1.2): campaigns to their audience, reminders, responses, the
closed loop on unhappy answers, opt-out, and the survey after a closed complaint.

Everything sent is claimed first and queued in the outbox in the same transaction, with a unique outbox
key, so two jobs at once, a retried job or a task delivered twice never send the same e-mail twice:
- an invitation is claimed by ``PENDING → SENT`` (a conditional UPDATE, one row at a time);
- a reminder by its unique ``Reminder(invitation, number)`` row plus a conditional UPDATE of
  ``reminders_sent``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from customers.models import Contact
from customers.selectors import contacts_with_email
from qms.audit.context import audited_service
from qms.core.outbox import outbox_queue
from qms.core.services import require_permission

from .. import emails
from ..choices import CampaignStatus, Channel, FeedbackKind, InvitationStatus, QuestionType
from ..models import (
    Answer,
    Campaign,
    FeedbackItem,
    Invitation,
    Question,
    Reminder,
    SurveyResponse,
    SurveySettings,
    SurveyTemplate,
)

logger = logging.getLogger(__name__)

POST_COMPLAINT_TEMPLATE_CODE = "post-complaint-csat"
AUTOMATIC_CAMPAIGN_NAME = "After a complaint"
AUTOMATIC_CAMPAIGN_YEARS = 10
NPS_DETRACTOR_MAX = 6
CSAT_UNHAPPY_MAX = 2
MAX_TEXT_ANSWER = 5000
ALREADY_ANSWERED = "You have already answered this survey, thank you."
SURVEY_CLOSED = "This survey has closed."
OPTED_OUT = "You asked us not to send you surveys, so this survey is no longer open to you."
CSAT_WORDS = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Satisfied",
    5: "Very satisfied",
}


# Shared helpers -------------------------------------------------------------------------------------


def _organisation() -> str:
    return getattr(settings, "ORGANISATION_NAME", "") or "Our quality team"


def question_text(question: Question) -> str:
    """The question as the respondent reads it: ``{organisation}`` replaced by our name."""
    return question.text.replace("{organisation}", _organisation())


def respond_url(invitation: Invitation) -> str:
    return emails.portal_url(reverse("survey_public:respond", args=[invitation.token]))


def opt_out_url(invitation: Invitation) -> str:
    return emails.portal_url(reverse("survey_public:opt_out", args=[invitation.token]))


def invitation_state(invitation: Invitation, *, now: dt.datetime | None = None) -> str:
    """What the response page shows: ``open``, ``answered``, ``opted_out`` or ``closed``."""
    now = now or timezone.now()
    campaign = invitation.campaign
    if invitation.status == InvitationStatus.RESPONDED or SurveyResponse.objects.filter(invitation=invitation).exists():
        return "answered"
    if invitation.status == InvitationStatus.OPTED_OUT:
        return "opted_out"
    if (
        invitation.status == InvitationStatus.EXPIRED
        or campaign.status in (CampaignStatus.CLOSED, CampaignStatus.DRAFT)
        or campaign.closes_at <= now
    ):
        return "closed"
    return "open"


def _contact_of(invitation: Invitation) -> Contact | None:
    """The person asked: the invitation's contact, or for a post-complaint survey the complaint's."""
    if invitation.contact_id:
        return invitation.contact
    if invitation.feedback_item_id and invitation.feedback_item.contact_id:
        return invitation.feedback_item.contact
    return None


def _not_opted_out() -> Q:
    return ~Q(contact__survey_opt_out=True) & ~Q(feedback_item__contact__survey_opt_out=True)


def _message(invitation: Invitation, kind: str, number: int = 0) -> tuple[str, str, str]:
    template = invitation.campaign.template
    item = invitation.feedback_item
    if item is not None:
        topic = f"How did we handle {item.reference}?"
    else:
        topic = f"{template.name}: a few questions from {_organisation()}"
    subject = f"Reminder: {topic}" if kind == "reminder" else topic
    context = {
        "organisation": _organisation(),
        "invitation": invitation,
        "campaign": invitation.campaign,
        "template": template,
        "item": item,
        "number": number,
        "closes_at": invitation.campaign.closes_at if not invitation.campaign.automatic else None,
        "url": respond_url(invitation),
        "opt_out_url": opt_out_url(invitation),
    }
    body = render_to_string(f"feedback/emails/survey_{kind}.txt", context)
    html_body = render_to_string(f"feedback/emails/survey_{kind}.html", context)
    return subject, body, html_body


INVITATION_KEY = "survey-invitation:"


def invitation_undeliverable(key: str) -> int:
    """The outbox gave up sending invitation ``key`` (``survey-invitation:<pk>``): mark it failed, so the
    response rate does not count it as delivered. An answered or closed invitation is left as it is."""
    pk = key.removeprefix(INVITATION_KEY)
    if not pk.isdigit():
        return 0
    return Invitation.objects.filter(pk=int(pk), status=InvitationStatus.SENT).update(status=InvitationStatus.FAILED)


def _queue_invitation_email(invitation: Invitation) -> None:
    subject, body, html_body = _message(invitation, "invitation")
    outbox_queue(
        key=f"{INVITATION_KEY}{invitation.pk}", to=[invitation.email], subject=subject, body=body, html_body=html_body
    )


# Audience and sending -------------------------------------------------------------------------------


def campaign_audience(campaign: Campaign) -> QuerySet[Contact]:
    """The contacts a campaign goes to: with an e-mail address, not opted out, of the hand-picked
    customers if any, else of the customers in the chosen segments and statuses (empty = any)."""
    contacts = Contact.objects.exclude(email="").filter(survey_opt_out=False)
    if campaign.pk and campaign.customers.exists():
        contacts = contacts.filter(customer__in=campaign.customers.all())
    else:
        if campaign.segments:
            contacts = contacts.filter(customer__segment__in=campaign.segments)
        if campaign.customer_statuses:
            contacts = contacts.filter(customer__status__in=campaign.customer_statuses)
    return contacts.select_related("customer").order_by("customer__name", "name", "pk").distinct()


@audited_service
def campaign_send(*, actor, campaign: Campaign) -> Campaign:
    """Send a draft campaign: one invitation per audience contact, e-mailed in batches by a job.

    Refused unless a draft, when the closing time has passed, or when nobody is in the audience.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    require_permission(actor, "change", Campaign, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(
            {"status": f"This campaign is {campaign.get_status_display().lower()}; only a draft can be sent."}
        )
    now = timezone.now()
    if campaign.closes_at <= now:
        raise ValidationError({"closes_at": "The campaign closes in the past; set a later closing time first."})
    contacts = list(campaign_audience(campaign))
    if not contacts:
        raise ValidationError(
            {"segments": "No contact with an e-mail address (and not opted out) matches — widen the audience."}
        )
    template = campaign.template
    if template.frozen_at is None:
        template.frozen_at = now
        template.save(update_fields=["frozen_at", "updated_at"])
    Invitation.objects.bulk_create(
        [
            Invitation(
                campaign=campaign, contact=contact, customer=contact.customer, email=contact.email, name=contact.name
            )
            for contact in contacts
        ]
    )
    campaign.status = CampaignStatus.SENDING
    campaign.sent_started_at = now
    campaign.save(update_fields=["status", "sent_started_at", "updated_at"])
    campaign_pk = campaign.pk
    # Published after commit, waiting at most a second for the broker: an outage must not fail or hold the
    # request; the hourly job resumes a sending whose message never reached a worker.
    from qms.core.task_outbox import publish_after_commit

    from ..tasks import send_campaign_invitations

    publish_after_commit(send_campaign_invitations, campaign_pk)
    return campaign


def invitations_send_batch(*, campaign_id: int, batch_size: int = 100) -> int:
    """Queue the e-mails of up to ``batch_size`` not-yet-sent invitations; returns how many.

    Each invitation is claimed (PENDING → SENT) and its e-mail queued in one transaction, so a second
    worker never sends it again. When none is left, the campaign opens (SENDING → OPEN).
    """
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status != CampaignStatus.SENDING:
        return 0
    pending = Invitation.objects.filter(campaign_id=campaign_id, status=InvitationStatus.PENDING)
    sent = 0
    for pk in list(pending.order_by("pk").values_list("pk", flat=True)[:batch_size]):
        now = timezone.now()
        with transaction.atomic():
            # Opted out since the campaign was sent: never e-mailed.
            Invitation.objects.filter(pk=pk, status=InvitationStatus.PENDING, contact__survey_opt_out=True).update(
                status=InvitationStatus.OPTED_OUT, opted_out_at=now
            )
            claimed = Invitation.objects.filter(pk=pk, status=InvitationStatus.PENDING).update(
                status=InvitationStatus.SENT, sent_at=now, last_message_at=now
            )
            if not claimed:
                continue
            invitation = Invitation.objects.select_related("campaign__template", "feedback_item").get(pk=pk)
            _queue_invitation_email(invitation)
        sent += 1
    if not pending.exists():
        Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).update(status=CampaignStatus.OPEN)
    return sent


def invitations_send_all(*, campaign_id: int, batch_size: int = 100) -> int:
    """Send batches until nothing is left for this worker (another may be sending the rest)."""
    total = 0
    while True:
        sent = invitations_send_batch(campaign_id=campaign_id, batch_size=batch_size)
        total += sent
        if sent == 0:
            return total


def campaigns_resume_sending() -> int:
    """Finish campaigns left SENDING (e.g. the broker was down when they were sent); returns e-mails queued."""
    ids = list(Campaign.objects.filter(status=CampaignStatus.SENDING).values_list("pk", flat=True))
    return sum(invitations_send_all(campaign_id=pk) for pk in ids)


def campaign_progress(campaign: Campaign) -> dict[str, int]:
    """Counts of a campaign's invitations; ``percent`` is the share already sent."""
    counts = Invitation.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        failed=Count("pk", filter=Q(status=InvitationStatus.FAILED)),
        responded=Count("pk", filter=Q(status=InvitationStatus.RESPONDED)),
        opted_out=Count("pk", filter=Q(status=InvitationStatus.OPTED_OUT)),
        pending=Count("pk", filter=Q(status=InvitationStatus.PENDING)),
    )
    total = counts["total"]
    counts["percent"] = round(100 * counts["sent"] / total) if total else 0
    return counts


# Closing --------------------------------------------------------------------------------------------


def _close(campaign_pk: int) -> bool:
    with transaction.atomic():
        closed = Campaign.objects.filter(
            pk=campaign_pk, status__in=(CampaignStatus.SENDING, CampaignStatus.OPEN)
        ).update(status=CampaignStatus.CLOSED)
        if closed:
            Invitation.objects.filter(
                campaign_id=campaign_pk, status__in=(InvitationStatus.PENDING, InvitationStatus.SENT)
            ).update(status=InvitationStatus.EXPIRED)
    return bool(closed)


@audited_service
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    """Close a campaign now: no more answers or reminders; unanswered invitations expire."""
    require_permission(actor, "change", Campaign, campaign)
    if not _close(campaign.pk):
        campaign.refresh_from_db()
        raise ValidationError(
            {"status": f"This campaign is {campaign.get_status_display().lower()}; only a sent campaign can be closed."}
        )
    campaign.refresh_from_db()
    return campaign


def campaigns_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every sent campaign whose closing time has come; returns how many were closed."""
    now = now or timezone.now()
    due = Campaign.objects.filter(
        status__in=(CampaignStatus.SENDING, CampaignStatus.OPEN), closes_at__lte=now
    ).values_list("pk", flat=True)
    return sum(_close(pk) for pk in list(due))


# Reminders ------------------------------------------------------------------------------------------


class _NoLongerDue(Exception):
    """The invitation changed (answered, opted out, reminded) between reading and claiming it."""


def reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the reminders now due, each (invitation, number) at most once even with two runs at once.

    Due: invitation sent and unanswered, campaign open and not past its closing time, fewer reminders
    than the campaign allows, the last message at least ``reminder_after_days`` ago, not opted out.
    Returns counts ``sent`` and ``already_sent`` (claimed by an earlier or concurrent run).
    """
    now = now or timezone.now()
    counts = {"sent": 0, "already_sent": 0}
    due = (
        Invitation.objects.filter(
            _not_opted_out(),
            status=InvitationStatus.SENT,
            campaign__status=CampaignStatus.OPEN,
            campaign__closes_at__gt=now,
            reminders_sent__lt=F("campaign__reminder_max"),
            last_message_at__lte=now - dt.timedelta(days=1),
        )
        .select_related("campaign__template", "feedback_item")
        .order_by("pk")
    )
    for invitation in list(due):
        if invitation.last_message_at > now - dt.timedelta(days=invitation.campaign.reminder_after_days):
            continue
        number = invitation.reminders_sent + 1
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        Reminder.objects.create(invitation=invitation, number=number)
                except IntegrityError:
                    counts["already_sent"] += 1
                    continue
                updated = Invitation.objects.filter(
                    _not_opted_out(),
                    pk=invitation.pk,
                    status=InvitationStatus.SENT,
                    reminders_sent=number - 1,
                    campaign__status=CampaignStatus.OPEN,
                ).update(reminders_sent=number, last_message_at=now)
                if not updated:
                    raise _NoLongerDue
                invitation.reminders_sent, invitation.last_message_at = number, now
                subject, body, html_body = _message(invitation, "reminder", number)
                outbox_queue(
                    key=f"survey-reminder:{invitation.pk}:{number}",
                    to=[invitation.email],
                    subject=subject,
                    body=body,
                    html_body=html_body,
                )
        except _NoLongerDue:
            continue
        counts["sent"] += 1
    return counts


# Answers --------------------------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set):
        return not [v for v in value if str(v).strip()]
    return False


def _clean_answer(question: Question, raw: Any) -> tuple[int | None, list[str], str]:
    """(number, choices, text) for one non-empty answer; ValidationError message when it is wrong."""
    scale = question.scale
    if scale is not None:
        low, high = scale[0], scale[-1]
        try:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            number = int(str(raw).strip()) if isinstance(raw, str) else int(raw)
        except (TypeError, ValueError):
            raise ValidationError(f"Choose a whole number from {low} to {high}.") from None
        if number not in scale:
            raise ValidationError(f"{number} is outside the scale; choose a number from {low} to {high}.")
        return number, [], ""
    if question.type == QuestionType.SINGLE:
        value = str(raw).strip()
        if value not in question.choice_list:
            raise ValidationError(f"“{value[:100]}” is not one of the options; choose one of those shown.")
        return None, [value], ""
    if question.type == QuestionType.MULTIPLE:
        values = [raw] if isinstance(raw, str) else list(raw)
        values = list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
        unknown = [v for v in values if v not in question.choice_list]
        if unknown:
            raise ValidationError(f"“{unknown[0][:100]}” is not one of the options; choose among those shown.")
        return None, values, ""
    text = str(raw).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise ValidationError(f"Keep your answer under {MAX_TEXT_ANSWER:,} characters (it has {len(text):,}).")
    return None, [], text


def _closed_loop_item(response: SurveyResponse, invitation: Invitation, answers: list[tuple[Question, Answer]]):
    nps, csat = response.nps_score, response.csat_score
    detractor = nps is not None and nps <= NPS_DETRACTOR_MAX
    unhappy = csat is not None and csat <= CSAT_UNHAPPY_MAX
    if not (detractor or unhappy):
        return None
    scores = ", ".join(part for part in (f"NPS {nps}" if detractor else "", f"CSAT {csat}" if unhappy else "") if part)
    campaign = invitation.campaign
    lines = [f"Survey “{campaign.name}”, answered {timezone.localtime(response.submitted_at):%d %b %Y %H:%M}.", ""]
    for question, answer in answers:
        if answer.number is not None:
            shown = str(answer.number)
        elif answer.choices:
            shown = "; ".join(answer.choices)
        else:
            shown = answer.text
        lines.append(f"{question_text(question)}\n  {shown or '(no answer)'}")
    if invitation.feedback_item_id:
        lines.append(f"\nThis survey followed {invitation.feedback_item.reference}.")
    customer = invitation.customer
    assignee = customer.account_owner if customer is not None and customer.account_owner_id else None
    if assignee is None or not assignee.is_active:
        row = SurveySettings.objects.select_related("follow_up_assignee").first()
        assignee = row.follow_up_assignee if row is not None else None
        if assignee is not None and not assignee.is_active:
            assignee = None
    from .complaints import _create

    contact = _contact_of(invitation)
    item = _create(
        {
            "kind": FeedbackKind.COMPLAINT if unhappy else FeedbackKind.ENQUIRY,
            "channel": Channel.SURVEY,
            "received_at": response.submitted_at,
            "customer": customer,
            "contact": contact,
            "submitter_name": invitation.name or (contact.name if contact else ""),
            "submitter_email": invitation.email,
            "summary": f"Unhappy survey answer: {scores} in {campaign.name}"[:200],
            "description": "\n".join(lines),
            "assignee": assignee,
        },
        actor=None,
        uploads=[],
    )
    if item.assignee_id:
        emails.queue_assignment_notice(item)
    return item


def response_submit(*, invitation: Invitation, answers: dict[int, Any]) -> SurveyResponse:
    """Record the one response to ``invitation`` (answers keyed by question pk).

    Refused, with errors keyed ``q<pk>``, for a missing required answer, a number off the scale or an
    unknown option; and when already answered, closed, expired or opted out. An NPS of 0–6 opens an
    enquiry, a CSAT of 1–2 a complaint, for someone to follow up (``response.follow_up``).
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        state = invitation_state(invitation)
        if state == "answered":
            raise ValidationError({NON_FIELD_ERRORS: ALREADY_ANSWERED})
        if state == "opted_out":
            raise ValidationError({NON_FIELD_ERRORS: OPTED_OUT})
        if state == "closed":
            raise ValidationError({NON_FIELD_ERRORS: SURVEY_CLOSED})
        campaign = invitation.campaign
        questions = list(campaign.template.questions.order_by("order", "pk"))
        known = {str(question.pk) for question in questions}
        errors: dict[str, str] = {}
        if any(str(key) not in known for key in answers):
            errors[NON_FIELD_ERRORS] = "Some answers do not belong to this survey; reload the page and try again."
        answers = {str(key): value for key, value in answers.items()}
        cleaned: list[tuple[Question, Answer]] = []
        for question in questions:
            raw = answers.get(str(question.pk))
            if _is_empty(raw):
                if question.required:
                    errors[f"q{question.pk}"] = "Please answer this question."
                continue
            try:
                number, choices, text = _clean_answer(question, raw)
            except ValidationError as error:
                errors[f"q{question.pk}"] = error.messages[0]
                continue
            cleaned.append((question, Answer(question=question, number=number, choices=choices, text=text)))
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        customer = invitation.customer
        first = {}
        for question, answer in cleaned:
            first.setdefault(question.type, answer.number)
        response = SurveyResponse(
            invitation=invitation,
            campaign=campaign,
            customer=customer,
            segment=customer.segment if customer is not None else "",
            submitted_at=now,
            nps_score=first.get(QuestionType.NPS),
            csat_score=first.get(QuestionType.CSAT),
        )
        try:
            with transaction.atomic():
                response.save()
        except IntegrityError:
            raise ValidationError({NON_FIELD_ERRORS: ALREADY_ANSWERED}) from None
        for _question, answer in cleaned:
            answer.response = response
        Answer.objects.bulk_create([answer for _question, answer in cleaned])
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.RESPONDED, responded_at=now)
        invitation.status, invitation.responded_at = InvitationStatus.RESPONDED, now
        follow_up = _closed_loop_item(response, invitation, cleaned)
        if follow_up is not None:
            response.follow_up = follow_up
            response.save(update_fields=["follow_up"])
    return response


# Opt-out --------------------------------------------------------------------------------------------


def invitation_opt_out(*, invitation: Invitation) -> None:
    """The person asked for no more surveys: their contact is marked (every later campaign leaves them
    out) and this invitation gets no reminder. Safe to repeat."""
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        contact = _contact_of(invitation)
        if contact is not None:
            contact = Contact.objects.select_for_update().get(pk=contact.pk)
            if not contact.survey_opt_out:
                contact.survey_opt_out = True
                contact.save(update_fields=["survey_opt_out", "updated_at"])
        if invitation.opted_out_at is None:
            invitation.opted_out_at = now
            if invitation.status != InvitationStatus.RESPONDED:
                invitation.status = InvitationStatus.OPTED_OUT
            invitation.save(update_fields=["status", "opted_out_at"])


# After a complaint ----------------------------------------------------------------------------------


def _post_complaint_template() -> SurveyTemplate | None:
    row = SurveySettings.objects.select_related("post_complaint_template").first()
    if row is not None:
        if not row.post_complaint_enabled:
            return None
        template = row.post_complaint_template
    else:
        template = SurveyTemplate.objects.filter(code=POST_COMPLAINT_TEMPLATE_CODE).order_by("-version").first()
    # An edited template lives on as its newest version.
    while template is not None and template.superseded_by_id:
        template = template.superseded_by
    return template


def _standing_campaign(template: SurveyTemplate, now: dt.datetime) -> Campaign:
    # Locking the template makes two complaints closing at once share one standing campaign.
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    campaign = (
        Campaign.objects.filter(automatic=True, template=template, status=CampaignStatus.OPEN, closes_at__gt=now)
        .order_by("pk")
        .first()
    )
    if campaign is not None:
        return campaign
    if template.frozen_at is None:
        template.frozen_at = now
        template.save(update_fields=["frozen_at", "updated_at"])
    campaign = Campaign(
        name=AUTOMATIC_CAMPAIGN_NAME,
        template=template,
        status=CampaignStatus.OPEN,
        opens_at=now,
        closes_at=now + dt.timedelta(days=365 * AUTOMATIC_CAMPAIGN_YEARS + AUTOMATIC_CAMPAIGN_YEARS // 4),
        reminder_max=1,
        reminder_after_days=7,
        automatic=True,
        sent_started_at=now,
    )
    campaign.save()
    return campaign


def post_complaint_survey_queue(item: FeedbackItem) -> Invitation | None:
    """Ask the complainant of a closed complaint how we handled it (once per complaint).

    Returns the new invitation, its e-mail queued; None when surveys after complaints are switched off,
    there is no template or no e-mail address, the person opted out, or this complaint already had one.
    """
    if item.kind != FeedbackKind.COMPLAINT:
        return None
    email = item.complainant_email
    template = _post_complaint_template()
    if not email or template is None:
        return None
    if (item.contact_id and item.contact.survey_opt_out) or contacts_with_email(email).filter(
        survey_opt_out=True
    ).exists():
        return None
    now = timezone.now()
    with transaction.atomic():
        campaign = _standing_campaign(template, now)
        if Invitation.objects.filter(campaign__automatic=True, feedback_item=item).exists():
            return None
        # No contact on the invitation: one contact may complain twice, and the standing campaign allows
        # one invitation per contact. The complaint's contact is reached through ``feedback_item``.
        invitation = Invitation(
            campaign=campaign,
            customer=item.customer,
            feedback_item=item,
            email=email,
            name=(item.contact.name if item.contact_id else item.submitter_name)[:200],
            status=InvitationStatus.SENT,
            sent_at=now,
            last_message_at=now,
        )
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            return None
        _queue_invitation_email(invitation)
    return invitation
