"""The respondent's pages: answer a survey, or opt out of surveys, by the token in our e-mail.

No sign-in: the invitation's token is the only key. A page never shows anything about the invitation
beyond the questions themselves: not the name, e-mail, customer, nor earlier answers.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import ratelimit
from .models import Invitation
from .public_views import _rate_limited, private_page
from .services import survey_delivery
from .survey_public_forms import SurveyResponseForm

SURVEY_SCOPE = "survey"
# Generous: one person answering and correcting a form, or a few people behind one office address.
SURVEY_RATE = ratelimit.Rate(count=60, seconds=60 * 60)
# Page, HTTP status and title per state of an invitation that cannot be answered now.
STATE_PAGES = {
    "answered": ("feedback/survey_public/already_answered.html", 200, "You have already answered"),
    "closed": ("feedback/survey_public/closed.html", 410, "This survey has closed"),
    "opted_out": ("feedback/survey_public/opted_out.html", 200, "You have opted out of surveys"),
}


def _invitation(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return Invitation.objects.filter(token=token).select_related("campaign__template").first()


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/survey_public/not_found.html", {"title": "Survey not found"}, status=404)


def _state_page(request: HttpRequest, state: str) -> HttpResponse:
    template, status, title = STATE_PAGES[state]
    return render(request, template, {"title": title}, status=status)


def _form_page(request: HttpRequest, invitation: Invitation, form: SurveyResponseForm, status: int) -> HttpResponse:
    template = invitation.campaign.template
    context = {
        "title": template.name,
        "survey": template,
        "form": form,
        "rows": form.rows(),
        "token": invitation.token,
        "nps_ends": ("0 = not at all likely", "10 = extremely likely"),
    }
    response = render(request, "feedback/survey_public/respond.html", context, status=status)
    response.has_form = True
    return response


@private_page
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The survey: GET shows the questions, POST records the answers (once)."""
    invitation = _invitation(token)
    if invitation is None:
        return _not_found(request)
    state = survey_delivery.invitation_state(invitation)
    if state != "open":
        return _state_page(request, state)
    questions = list(invitation.campaign.template.questions.order_by("order", "pk"))
    if request.method != "POST":
        return _form_page(request, invitation, SurveyResponseForm(questions), 200)
    limit = ratelimit.hit(request, SURVEY_SCOPE, SURVEY_RATE)
    if not limit.allowed:
        return _rate_limited(request, limit)
    form = SurveyResponseForm(questions, request.POST)
    if form.is_valid():
        try:
            survey_delivery.response_submit(invitation=invitation, answers=form.answers())
        except ValidationError as error:
            invitation.refresh_from_db()
            state = survey_delivery.invitation_state(invitation)
            if state != "open":
                return _state_page(request, state)
            form.add_service_errors(error)
        else:
            return redirect("survey_public:thanks", token=invitation.token)
    return _form_page(request, invitation, form, 400)


@private_page
@require_http_methods(["GET"])
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """After answering: the survey's thank-you text."""
    invitation = _invitation(token)
    if invitation is None:
        return _not_found(request)
    if survey_delivery.invitation_state(invitation) != "answered":
        return redirect("survey_public:respond", token=invitation.token)
    template = invitation.campaign.template
    return render(request, "feedback/survey_public/thanks.html", {"title": "Thank you", "survey": template})


@private_page
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST records that this person wants no more surveys."""
    invitation = _invitation(token)
    if invitation is None:
        return _not_found(request)
    if request.method == "POST":
        limit = ratelimit.hit(request, SURVEY_SCOPE, SURVEY_RATE)
        if not limit.allowed:
            return _rate_limited(request, limit)
        survey_delivery.invitation_opt_out(invitation=invitation)
        return render(request, "feedback/survey_public/opt_out_done.html", {"title": "You have opted out"})
    response = render(
        request, "feedback/survey_public/opt_out.html", {"title": "Stop receiving surveys", "token": invitation.token}
    )
    response.has_form = True
    return response
