"""Survey pages (9.1.2): templates and questions, campaigns with their results, the results overview and
the closed-loop settings. The respondents' pages are in ``survey_public_urls``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from customers.choices import CustomerStatus, Segment
from qms.accounts.permissions import can
from qms.core.exporting import table_response
from qms.core.views import (
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    RegisterUpdateView,
    RegisterViewMixin,
    attach_errors,
)

from .. import survey_figures
from ..choices import CampaignStatus
from ..models import Campaign, Question, SurveyResponse, SurveySettings, SurveyTemplate
from ..services import surveys as survey_services
from ..survey_filters import CampaignFilterSet, SurveyTemplateFilterSet
from ..survey_forms import CampaignForm, QuestionForm, SurveySettingsForm, SurveyTemplateForm

FREE_TEXT_SHOWN = 10

# How many customers the results page lists (the most responses first).
CUSTOMER_ROWS = 20


def _delivery():
    # Imported when used: the delivery services are another module's, loaded with the sending pages.
    from ..services import survey_delivery

    return survey_delivery


# Templates -----------------------------------------------------------------------------------------


class SurveyTemplateListView(RegisterListView):
    model = SurveyTemplate
    filterset_class = SurveyTemplateFilterSet
    columns = [
        ("name", "Name"),
        ("code", "Code"),
        ("version", "Version"),
        ("purpose", "Purpose"),
        ("question_count", "Questions"),
        ("frozen_at", "In use since"),
        ("superseded_by", "Replaced by"),
    ]
    sortable = {"name": "name", "code": "code", "version": "version", "purpose": "purpose"}
    default_sort = "name"
    export_columns = [("code", "code"), ("version", "version"), ("name", "name"), ("purpose", "purpose")]
    export_basename = "survey-templates"
    template_name = "feedback/surveys/template_list.html"
    extra_context = {
        "title": "Survey templates",
        "empty_hint": "Add a template: the questions a campaign asks.",
    }

    def base_queryset(self):
        return super().base_queryset().select_related("superseded_by").annotate(question_count=Count("questions"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("feedback:template_create")
        return context


class SurveyTemplateDetailView(RegisterDetailView):
    model = SurveyTemplate
    template_name = "feedback/surveys/template_detail.html"
    fields = [
        ("code", "Code"),
        ("version", "Version"),
        ("purpose", "Purpose"),
        ("intro", "Introduction"),
        ("thank_you", "Thank-you text"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("superseded_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = self.object
        user = self.request.user
        context.update(
            questions=list(template.questions.order_by("order", "pk")),
            versions=list(SurveyTemplate.objects.restrict(user, "view").filter(code=template.code).order_by("version")),
            campaigns=list(Campaign.objects.restrict(user, "view").filter(template=template).order_by("-opens_at")),
            may_edit=template.is_current and can(user, "change", SurveyTemplate),
            may_edit_questions=template.is_current
            and can(user, "change", Question)
            and (not template.is_frozen or can(user, "add", SurveyTemplate)),
            may_add_question=template.is_current and can(user, "add", Question),
            may_delete_question=template.is_current and can(user, "delete", Question),
            may_new_version=template.is_current and can(user, "add", SurveyTemplate),
            may_use=template.is_current and can(user, "add", Campaign),
            next_version=template.version + 1,
        )
        return context


class SurveyTemplateCreateView(RegisterFormView):
    model = SurveyTemplate
    permission_action = "add"
    form_class = SurveyTemplateForm

    def get_title(self) -> str:
        return "New survey template"

    def get_cancel_url(self) -> str:
        return reverse("feedback:template_list")

    def save(self, form):
        return survey_services.template_save(actor=self.request.user, template=None, data=form.cleaned_data)


class SurveyTemplateUpdateView(RegisterUpdateView):
    model = SurveyTemplate
    form_class = SurveyTemplateForm

    def get_queryset(self):
        return super().get_queryset().filter(superseded_by__isnull=True)

    def get_title(self) -> str:
        if self.object.is_frozen:
            return f"Edit {self.object} (saving makes version {self.object.version + 1})"
        return super().get_title()

    def save(self, form):
        template = self.get_object()
        return survey_services.template_save(actor=self.request.user, template=template, data=form.cleaned_data)


class SurveyTemplateNewVersionView(RegisterViewMixin, View):
    """POST: make the next version of a template (the old one stays as it is, for its campaigns)."""

    model = SurveyTemplate
    permission_action = "add"

    def post(self, request, pk):
        template = get_object_or_404(SurveyTemplate.objects.restrict(request.user, "change"), pk=pk)
        try:
            newer = survey_services.template_new_version(actor=request.user, template=template)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(template.get_absolute_url())
        messages.success(request, f"Version {newer.version} of {newer.name} was made; edit it here.")
        return redirect(newer.get_absolute_url())


# Questions -----------------------------------------------------------------------------------------


def _frozen_note(template: SurveyTemplate) -> str:
    return f" (the template is in use: saving makes version {template.version + 1})" if template.is_frozen else ""


class QuestionCreateView(RegisterFormView):
    model = Question
    permission_action = "add"
    form_class = QuestionForm

    def dispatch(self, request, *args, **kwargs):
        # Permission first (403), then the template among those the user may change (404).
        if can(request.user, "add", Question):
            self.template = get_object_or_404(
                SurveyTemplate.objects.restrict(request.user, "change").filter(superseded_by__isnull=True),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_title(self) -> str:
        return f"New question for {self.template}{_frozen_note(self.template)}"

    def get_cancel_url(self) -> str:
        return self.template.get_absolute_url()

    def save(self, form):
        return survey_services.question_save(
            actor=self.request.user, template=self.template, question=None, data=form.cleaned_data
        )

    def get_success_url(self, saved) -> str:
        return reverse("feedback:template_detail", args=[saved.template_id])


class QuestionUpdateView(RegisterUpdateView):
    model = Question
    form_class = QuestionForm

    def get_queryset(self):
        return super().get_queryset().filter(template__superseded_by__isnull=True).select_related("template")

    def get_title(self) -> str:
        return f"Edit question of {self.object.template}{_frozen_note(self.object.template)}"

    def save(self, form):
        question = self.get_object()
        return survey_services.question_save(
            actor=self.request.user, template=question.template, question=question, data=form.cleaned_data
        )

    def get_success_url(self, saved) -> str:
        return reverse("feedback:template_detail", args=[saved.template_id])


class QuestionDeleteView(RegisterDeleteView):
    model = Question

    def get_queryset(self):
        return super().get_queryset().filter(template__superseded_by__isnull=True).select_related("template")

    def consequences(self, question):
        template = question.template
        if template.is_frozen:
            return [
                f"{template} is in use, so version {template.version + 1} is made without this question; "
                f"version {template.version} keeps it with its answers."
            ]
        return [f"{template} will no longer ask it."]

    def post(self, request, *args, **kwargs):
        question = self.get_object()
        try:
            template = survey_services.question_delete(actor=request.user, question=question)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(question.template.get_absolute_url())
        messages.success(request, f"The question “{question.text}” was removed from {template}.")
        return redirect(template.get_absolute_url())


class QuestionMoveView(RegisterViewMixin, View):
    """POST ``direction`` up or down: the question changes place with its neighbour."""

    model = Question
    permission_action = "change"

    def post(self, request, pk):
        question = get_object_or_404(
            Question.objects.restrict(request.user, "change")
            .filter(template__superseded_by__isnull=True)
            .select_related("template"),
            pk=pk,
        )
        try:
            moved = survey_services.question_move(
                actor=request.user, question=question, direction=request.POST.get("direction", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(question.template.get_absolute_url())
        if moved.template_id != question.template_id:
            messages.success(request, f"Version {moved.template.version} was made with the new order.")
        return redirect(reverse("feedback:template_detail", args=[moved.template_id]) + f"#question-{moved.pk}")


# Campaigns -----------------------------------------------------------------------------------------


class CampaignListView(RegisterListView):
    model = Campaign
    filterset_class = CampaignFilterSet
    columns = [
        ("name", "Name"),
        ("template", "Template"),
        ("status", "Status"),
        ("opens_at", "Opens"),
        ("closes_at", "Closes"),
        ("response_count", "Responses"),
    ]
    sortable = {
        "name": "name",
        "template": "template__name",
        "status": "status",
        "opens_at": "opens_at",
        "closes_at": "closes_at",
        "response_count": "response_count",
    }
    default_sort = "-opens_at"
    export_columns = [
        ("name", "name"),
        ("template", "template"),
        ("status", "status"),
        ("opens_at", "opens_at"),
        ("closes_at", "closes_at"),
        ("response_count", "responses"),
    ]
    export_basename = "survey-campaigns"
    template_name = "feedback/surveys/campaign_list.html"
    row_template = "feedback/surveys/_campaign_row.html"
    extra_context = {
        "title": "Survey campaigns",
        "empty_hint": "Create a campaign to ask customers how satisfied they are.",
    }

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("template")
            .annotate(response_count=Count("responses", distinct=True))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("feedback:campaign_create")
        return context


class CampaignCreateView(RegisterFormView):
    model = Campaign
    permission_action = "add"
    form_class = CampaignForm

    def get_title(self) -> str:
        return "New survey campaign"

    def get_cancel_url(self) -> str:
        return reverse("feedback:campaign_list")

    def get_initial(self) -> dict:
        now = timezone.localtime().replace(second=0, microsecond=0)
        initial = {"opens_at": now, "closes_at": now + dt.timedelta(days=30)}
        template = SurveyTemplate.objects.filter(pk=self.request.GET.get("template") or 0).first()
        if template is not None:
            initial["template"] = template.pk
        return initial

    def save(self, form):
        return survey_services.campaign_save(actor=self.request.user, campaign=None, data=form.cleaned_data)


class CampaignUpdateView(RegisterUpdateView):
    model = Campaign
    form_class = CampaignForm

    def get_title(self) -> str:
        if self.object.status != CampaignStatus.DRAFT:
            return f"Edit campaign {self.object} (sent: only its closing date and reminders can change)"
        return super().get_title()

    def save(self, form):
        campaign = self.get_object()
        return survey_services.campaign_save(actor=self.request.user, campaign=campaign, data=form.cleaned_data)


def _audience_summary(campaign: Campaign) -> dict:
    segments = dict(Segment.choices)
    statuses = dict(CustomerStatus.choices)
    return {
        "segments": [segments.get(value, value) for value in campaign.segments],
        "statuses": [statuses.get(value, value) for value in campaign.customer_statuses],
        "customers": list(campaign.customers.order_by("name")),
    }


class CampaignDetailView(RegisterDetailView):
    model = Campaign
    template_name = "feedback/surveys/campaign_detail.html"
    fields = [
        ("template", "Template"),
        ("status", "Status"),
        ("opens_at", "Opens"),
        ("closes_at", "Closes"),
        ("created_by", "Created by"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("template", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        user = self.request.user
        is_draft = campaign.status == CampaignStatus.DRAFT
        may_change = can(user, "change", Campaign, campaign)
        context.update(
            audience=_audience_summary(campaign),
            is_draft=is_draft,
            may_edit=may_change and campaign.status != CampaignStatus.CLOSED,
            may_send=may_change and is_draft,
            may_close=may_change and campaign.status == CampaignStatus.OPEN,
            may_export=can(user, "export", Campaign, campaign),
        )
        if is_draft:
            context["audience_count"] = _delivery().campaign_audience(campaign).count()
        else:
            context["progress"] = _delivery().campaign_progress(campaign)
            results = survey_figures.campaign_results(campaign)
            show_all = self.request.GET.get("answers") == "all"
            for row in results["questions"]:
                row["answers_shown"] = row["answers"] if show_all else row["answers"][:FREE_TEXT_SHOWN]
                row["answers_hidden"] = len(row["answers"]) - len(row["answers_shown"])
                row["text"] = _delivery().question_text(row["question"])
                row["chart_id"] = f"q-{row['question'].pk}-data"
                row["chart"] = {
                    "labels": [item["label"] for item in row["distribution"]],
                    "counts": [item["count"] for item in row["distribution"]],
                }
            context["results"] = results
        return context


class CampaignProgressView(RegisterViewMixin, View):
    """The progress fragment the campaign page polls while sending; once done it asks for a reload."""

    model = Campaign

    def get(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.restrict(request.user, "view"), pk=pk)
        context = {"object": campaign, "progress": _delivery().campaign_progress(campaign)}
        response = render(request, "feedback/surveys/_campaign_progress.html", context)
        if campaign.status != CampaignStatus.SENDING and getattr(request, "htmx", False):
            # The page was drawn while sending: reload it so the results and buttons match the new state.
            response["HX-Refresh"] = "true"
        return response


class _CampaignActionView(RegisterViewMixin, View):
    """GET asks for confirmation, POST does it: sending e-mails people and closing ends the answers."""

    model = Campaign
    permission_action = "change"
    allowed_status = CampaignStatus.DRAFT
    template_name = ""

    def get_object(self) -> Campaign:
        campaign = get_object_or_404(
            Campaign.objects.restrict(self.request.user, "change").select_related("template"), pk=self.kwargs["pk"]
        )
        if not can(self.request.user, "change", Campaign, campaign):
            raise PermissionDenied
        return campaign

    def get(self, request, pk):
        campaign = self.get_object()
        if campaign.status != self.allowed_status:
            messages.error(request, f"The campaign is {campaign.get_status_display().lower()}; nothing to do.")
            return redirect(campaign.get_absolute_url())
        return render(request, self.template_name, self.confirm_context(campaign))

    def confirm_context(self, campaign: Campaign) -> dict:
        return {"object": campaign, "opts": Campaign._meta}

    def post(self, request, pk):
        campaign = self.get_object()
        try:
            self.act(campaign)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(campaign.get_absolute_url())

    def act(self, campaign: Campaign) -> None:  # pragma: no cover
        raise NotImplementedError


class CampaignSendView(_CampaignActionView):
    template_name = "feedback/surveys/campaign_send.html"

    def confirm_context(self, campaign):
        context = super().confirm_context(campaign)
        context["audience_count"] = _delivery().campaign_audience(campaign).count()
        return context

    def act(self, campaign):
        _delivery().campaign_send(actor=self.request.user, campaign=campaign)
        messages.success(self.request, f"Campaign {campaign} is being sent.")


class CampaignCloseView(_CampaignActionView):
    template_name = "feedback/surveys/campaign_close.html"
    allowed_status = CampaignStatus.OPEN

    def act(self, campaign):
        _delivery().campaign_close(actor=self.request.user, campaign=campaign)
        messages.success(self.request, f"Campaign {campaign} was closed; no more answers are taken.")


def _answer_text(answer) -> str:
    if answer is None:
        return ""
    if answer.number is not None:
        return str(answer.number)
    if answer.choices:
        return "; ".join(str(choice) for choice in answer.choices)
    return answer.text


class CampaignResponsesExportView(RegisterViewMixin, View):
    """One row per response, one column per question, with customer, segment and time of submission."""

    model = Campaign
    permission_action = "export"

    def get(self, request, pk):
        campaign = get_object_or_404(
            Campaign.objects.restrict(request.user, "export").select_related("template"), pk=pk
        )
        if not can(request.user, "view", SurveyResponse):
            raise PermissionDenied
        questions = list(Question.objects.filter(template_id=campaign.template_id).order_by("order", "pk"))
        segments = dict(Segment.choices)
        responses = (
            SurveyResponse.objects.restrict(request.user, "view")
            .filter(campaign=campaign)
            .select_related("customer")
            .prefetch_related("answers")
            .order_by("submitted_at", "pk")
        )
        header = ["Submitted at", "Customer", "Segment", *(_delivery().question_text(q) for q in questions)]

        def table():
            yield header
            for response in responses:
                by_question = {answer.question_id: answer for answer in response.answers.all()}
                yield [
                    timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                    response.customer.name if response.customer else "",
                    segments.get(response.segment, response.segment),
                    *(_answer_text(by_question.get(question.pk)) for question in questions),
                ]

        export_format = request.GET.get("format", "csv")
        return table_response(table(), export_format, f"survey-responses-{campaign.pk}")


# Results overview ----------------------------------------------------------------------------------

PERIODS = {"month": "Month", "quarter": "Quarter", "week": "Week"}


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _period_label(day: dt.date, period: str) -> str:
    if period == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    if period == "week":
        return f"{day.isocalendar().year}-W{day.isocalendar().week:02d}"
    return day.strftime("%Y-%m")


class SurveyResultsView(RegisterViewMixin, TemplateView):
    """NPS, CSAT and response rate over time, NPS per segment and the campaigns of the period."""

    model = SurveyResponse
    template_name = "feedback/surveys/survey_results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        # The first day of the month eleven months back: twelve months including this one, whatever the day.
        months = today.year * 12 + today.month - 1 - 11
        default_start = dt.date(months // 12, months % 12 + 1, 1)
        start = _parse_date(self.request.GET.get("start")) or default_start
        end = _parse_date(self.request.GET.get("end")) or today
        errors = []
        if end < start:
            errors.append("The period must end after it starts; showing the last 12 months.")
            start, end = default_start, today
        period = self.request.GET.get("period")
        period = period if period in PERIODS else "month"
        common = {"start": start, "end": end, "period": period, "user": user}
        nps_rows = survey_figures.nps_by_period(**common)
        csat_rows = survey_figures.csat_by_period(**common)
        rate_rows = survey_figures.response_rate_by_period(**common)
        for rows in (nps_rows, csat_rows, rate_rows):
            for row in rows:
                row["label"] = _period_label(row["period"], period)
        campaigns = (
            Campaign.objects.restrict(user, "view")
            .filter(opens_at__date__lte=end, closes_at__date__gte=start)
            .select_related("template")
            .annotate(response_count=Count("responses", distinct=True))
            .exclude(status=CampaignStatus.DRAFT)
            .order_by("-opens_at")[:20]
        )
        context.update(
            title="Survey results",
            start=start,
            end=end,
            period=period,
            periods=PERIODS,
            period_errors=errors,
            nps_rows=nps_rows,
            csat_rows=csat_rows,
            rate_rows=rate_rows,
            segment_rows=survey_figures.nps_by_segment(start=start, end=end, user=user),
            # The customers who answered most first; the page lists the first ones.
            customer_rows=survey_figures.results_by_customer(start=start, end=end, user=user)[:CUSTOMER_ROWS],
            customer_rows_limit=CUSTOMER_ROWS,
            campaigns=campaigns,
            chart_data={
                "labels": [row["label"] for row in nps_rows],
                "nps": [row["nps"] for row in nps_rows],
                "csat": [row["csat_pct"] for row in csat_rows],
                "rate": [row["rate_pct"] for row in rate_rows],
            },
        )
        return context


# Settings ------------------------------------------------------------------------------------------


class SurveySettingsView(RegisterViewMixin, TemplateView):
    """How the closed loop works: quality managers edit it, others who may view read it."""

    model = SurveySettings
    template_name = "feedback/surveys/survey_settings.html"

    def _may_edit(self, current) -> bool:
        return can(self.request.user, "add" if current is None else "change", SurveySettings, current)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        current = SurveySettings.objects.select_related("post_complaint_template", "follow_up_assignee").first()
        may_edit = self._may_edit(current)
        context.update(title="Survey settings", settings_row=current, may_edit=may_edit)
        if may_edit:
            context.setdefault("form", SurveySettingsForm(instance=current))
        return context

    def post(self, request, *args, **kwargs):
        current = SurveySettings.objects.first()
        if not self._may_edit(current):
            raise PermissionDenied
        form = SurveySettingsForm(request.POST, instance=current)
        if form.is_valid():
            try:
                survey_services.survey_settings_save(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "The survey settings were saved.")
                return redirect("feedback:survey_settings")
        return self.render_to_response(self.get_context_data(form=form), status=400)


__all__ = [
    "CampaignCloseView",
    "CampaignCreateView",
    "CampaignDetailView",
    "CampaignListView",
    "CampaignProgressView",
    "CampaignResponsesExportView",
    "CampaignSendView",
    "CampaignUpdateView",
    "QuestionCreateView",
    "QuestionDeleteView",
    "QuestionMoveView",
    "QuestionUpdateView",
    "SurveyResultsView",
    "SurveySettingsView",
    "SurveyTemplateCreateView",
    "SurveyTemplateDetailView",
    "SurveyTemplateListView",
    "SurveyTemplateNewVersionView",
    "SurveyTemplateUpdateView",
]
