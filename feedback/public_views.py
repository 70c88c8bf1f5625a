"""Pages for customers without an account: send feedback, then follow it by reference or by link.

Nothing here needs a sign-in. What a customer sees of a record is built by ``customer_status`` from
an explicit list of fields, so internal fields (assignee, analysis, reasons) cannot reach a page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from . import ratelimit
from .choices import REFERENCE_PREFIXES, FeedbackKind, FeedbackStatus
from .models import FeedbackItem, new_public_token
from .public_forms import FeedbackSubmissionForm, StatusLookupForm, attachment_limits, honeypot_filled
from .services import feedback_submit_public

S = FeedbackStatus
# What a customer reads for each internal state: never the internal reason of a rejection.
CUSTOMER_STATES = {
    S.RECEIVED: "Received",
    S.ACKNOWLEDGED: "Acknowledged, we are looking at it",
    S.INVESTIGATING: "Being investigated",
    S.RESPONSE_PROPOSED: "Being investigated",
    S.RESOLVED: "Answered",
    S.CLOSED: "Closed",
    S.WITHDRAWN: "Closed",
    S.REJECTED: "Closed",
}
# A response is public once resolved; after a reopen the text may be an unpublished draft again.
RESPONSE_VISIBLE_STATES = frozenset({S.RESOLVED, S.CLOSED})
NOT_FOUND_MESSAGE = (
    "We could not find a request matching these details. Check the reference and the e-mail address "
    "against the e-mail we sent you, and try again."
)
THANKS_SESSION_KEY = "feedback_public_thanks"
SUBMIT_SCOPE = "submit"
STATUS_SCOPE = "status"


@dataclass(frozen=True)
class CustomerStatus:
    """The only facts about a record a customer is shown."""

    reference: str
    kind: str
    received_at: object
    state: str
    acknowledged_at: object
    answered_at: object
    response: str


def customer_status(item: FeedbackItem) -> CustomerStatus:
    published = item.response_published_at is not None and item.status in RESPONSE_VISIBLE_STATES
    return CustomerStatus(
        reference=item.reference,
        kind=item.get_kind_display(),
        received_at=item.received_at,
        state=CUSTOMER_STATES.get(item.status, "Received"),
        acknowledged_at=item.acknowledged_at,
        answered_at=item.response_published_at if published else None,
        response=item.published_response if published else "",
    )


def private_page(view):
    """Pages about one person's request: not cached, not indexed, and no Referer sent onwards.

    A page with a form keeps the site's same-origin policy: under no-referrer browsers post the form
    with ``Origin: null``, which Django's CSRF check rightly refuses.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin" if getattr(response, "has_form", False) else "no-referrer"
        return response

    return wrapper


def _form_page(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    response = render(request, template, context, status=status)
    response.has_form = True
    return response


def _rate_limited(request: HttpRequest, result: ratelimit.LimitResult) -> HttpResponse:
    minutes = max(1, round(result.retry_after_seconds / 60))
    response = render(
        request,
        "feedback/public/rate_limited.html",
        {"retry_at": result.retry_at, "minutes": minutes, "title": "Please try again later"},
        status=429,
    )
    response["Retry-After"] = str(result.retry_after_seconds)
    return response


def _remember_submission(request: HttpRequest, *, reference: str, kind: str, summary: str, email: str, token: str):
    request.session[THANKS_SESSION_KEY] = {
        "reference": reference,
        "kind": kind,
        "summary": summary,
        "email": email,
        "status_path": reverse("feedback_public:status_token", args=[token]),
    }


def _pretend_reference(kind: str) -> str:
    prefix = REFERENCE_PREFIXES.get(kind, REFERENCE_PREFIXES[FeedbackKind.COMPLAINT])
    return f"{prefix}-{timezone.localdate().year}-{secrets.randbelow(90000) + 10000:05d}"


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """The public feedback form; a valid submission is recorded and the receipt e-mail queued."""
    status = 200
    if request.method == "POST":
        limit = ratelimit.hit(request, SUBMIT_SCOPE)
        if not limit.allowed:
            return _rate_limited(request, limit)
        if honeypot_filled(request.POST):
            # A bot: it gets what a person would, and nothing is written or sent.
            kind = request.POST.get("kind") or FeedbackKind.COMPLAINT
            _remember_submission(
                request,
                reference=_pretend_reference(kind),
                kind=dict(FeedbackKind.choices).get(kind, "Complaint"),
                summary=(request.POST.get("summary") or "")[:200],
                email=(request.POST.get("submitter_email") or "")[:254],
                token=new_public_token(),
            )
            return redirect("feedback_public:thanks")
        form = FeedbackSubmissionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                item = feedback_submit_public(
                    actor=None, data=form.service_data(), uploads=form.cleaned_data["attachments"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                _remember_submission(
                    request,
                    reference=item.reference,
                    kind=item.get_kind_display(),
                    summary=item.summary,
                    email=item.submitter_email,
                    token=item.public_token,
                )
                return redirect("feedback_public:thanks")
        status = 400
    else:
        form = FeedbackSubmissionForm(initial={"kind": FeedbackKind.COMPLAINT})
    context = {
        "form": form,
        "limits": attachment_limits(),
        "title": "Tell us what you think",
    }
    return render(request, "feedback/public/submit.html", context, status=status)


@private_page
@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    """The reference of what this browser just sent (kept in its session, never in the address)."""
    submission = request.session.get(THANKS_SESSION_KEY)
    if not submission:
        return redirect("feedback_public:submit")
    return render(request, "feedback/public/thanks.html", {"submission": submission, "title": "Thank you"})


def find_by_reference_and_email(reference: str, email: str) -> QuerySet[FeedbackItem]:
    """The record with this reference sent from, or for a contact with, ``email``. References are upper
    case and the lookup is exact, so the unique index answers it (not a scan of every record)."""
    email_matches = Q(submitter_email__iexact=email) | Q(submitter_email="", contact__email__iexact=email)
    return FeedbackItem.objects.filter(email_matches, reference=reference.strip().upper())


@private_page
@require_http_methods(["GET", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    """Find a request by its reference and the e-mail address given; one message for any mismatch."""
    context = {"title": "Follow your request", "not_found": False, "not_found_message": NOT_FOUND_MESSAGE}
    status = 200
    if request.method == "POST":
        limit = ratelimit.hit(request, STATUS_SCOPE)
        if not limit.allowed:
            return _rate_limited(request, limit)
        form = StatusLookupForm(request.POST)
        if form.is_valid():
            item = find_by_reference_and_email(form.cleaned_data["reference"], form.cleaned_data["email"]).first()
            if item is not None:
                return _status_page(request, item)
            context["not_found"] = True
            status = 404
        else:
            status = 400
    else:
        form = StatusLookupForm()
    context["form"] = form
    return _form_page(request, "feedback/public/status_lookup.html", context, status)


@private_page
@require_http_methods(["GET"])
def status_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The link in our e-mails: the token alone opens the customer's status page."""
    item = FeedbackItem.objects.filter(public_token=token).first() if token else None
    if item is None:
        context = {
            "title": "Follow your request",
            "not_found": True,
            "not_found_message": NOT_FOUND_MESSAGE,
            "form": StatusLookupForm(),
        }
        return _form_page(request, "feedback/public/status_lookup.html", context, 404)
    return _status_page(request, item)


def _status_page(request: HttpRequest, item: FeedbackItem) -> HttpResponse:
    context = {"status": customer_status(item), "title": f"Your request {item.reference}"}
    return render(request, "feedback/public/status.html", context)
