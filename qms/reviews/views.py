"""Pages of the management reviews (9.3): list, plan and edit, prepare the inputs, hold, outputs, approve."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from qms.accounts.permissions import can
from qms.core.views import RegisterDetailView, RegisterFormView, RegisterListView, RegisterViewMixin, attach_errors

from . import selectors, services
from .choices import QUESTIONS, ReviewStatus, SummaryKind
from .filters import ReviewFilterSet, SummaryFilterSet
from .forms import ApproveForm, HoldForm, OutputForm, ReviewForm, SummaryScheduleForm
from .models import Review, ReviewOutput, Summary

FORM_TEMPLATE = "reviews/form.html"


def _errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class ReviewListView(RegisterListView):
    model = Review
    template_name = "reviews/review_list.html"
    filterset_class = ReviewFilterSet
    columns = [
        ("reference", "Reference"),
        ("review_date", "Date"),
        ("chair.display_name", "Chair"),
        ("period_start", "Period from"),
        ("period_end", "Period to"),
        ("status", "Status"),
    ]
    sortable = {"reference": "reference", "review_date": "review_date", "status": "status"}
    default_sort = "-review_date"
    export_columns = [
        ("reference", "reference"),
        ("review_date", "review_date"),
        ("chair.username", "chair"),
        ("period_start", "period_start"),
        ("period_end", "period_end"),
        ("status", "status"),
        ("inputs_compiled_at", "inputs_compiled_at"),
        ("approved_at", "approved_at"),
    ]
    export_basename = "management-reviews"
    row_template = "reviews/_review_row.html"
    extra_context = {"title": "Management reviews"}

    def base_queryset(self):
        return selectors.review_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("reviews:review_create")
        context["empty_hint"] = (
            "Plan the first management review with the button above."
            if context["can_add"]
            else "A quality manager plans management reviews; none is planned yet."
        )
        return context


class ReviewDetailView(RegisterDetailView):
    model = Review
    template_name = "reviews/review_detail.html"

    def get_queryset(self):
        return selectors.review_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        from qms.audit.selectors import history_for

        context = super().get_context_data(**kwargs)
        review, user = self.object, self.request.user
        # A review's own history panel (the inputs snapshot named, not dumped), on the page itself.
        context["history"] = history_for(review)
        signature = getattr(review, "signature", None)
        editable = review.status != ReviewStatus.APPROVED
        context.update(
            sections=selectors.sections_by_clause(review),
            questions=[(QUESTIONS[name], getattr(review, name)) for name in QUESTIONS],
            outputs=list(review.outputs.all()),
            attendees=list(review.attendees.all()),
            signature=signature,
            signature_valid=services.verify_signature(review) if signature else None,
            may_edit=editable and can(user, "change", Review, review),
            may_prepare=review.status in (ReviewStatus.PLANNED, ReviewStatus.INPUTS_READY)
            and can(user, "change", Review, review),
            may_hold=review.status == ReviewStatus.INPUTS_READY and can(user, "change", Review, review),
            may_add_output=editable and can(user, "add", ReviewOutput),
            may_approve=review.status == ReviewStatus.HELD and services.may_approve(user, review),
            awaits_chair=review.status == ReviewStatus.HELD,
        )
        return context


class ReviewCreateView(RegisterFormView):
    model = Review
    permission_action = "add"
    form_class = ReviewForm
    template_name = FORM_TEMPLATE

    def get_title(self) -> str:
        return "Plan a management review"

    def get_cancel_url(self) -> str:
        return reverse("reviews:review_list")

    def save(self, form):
        return services.review_create(actor=self.request.user, data=form.cleaned_data)


class ReviewUpdateView(RegisterFormView):
    model = Review
    permission_action = "change"
    form_class = ReviewForm
    template_name = FORM_TEMPLATE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and can(request.user, "change", Review):
            review = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
            if review.status == ReviewStatus.APPROVED:
                messages.error(request, "This review is approved and signed; it can no longer be changed.")
                return redirect(review.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return f"Edit management review {self.object}"

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def save(self, form):
        return services.review_update(actor=self.request.user, review=self.object, data=form.cleaned_data)


class ReviewStepView(RegisterViewMixin, View):
    """Base for the steps on one review: the review comes through the engine, refusals become messages."""

    model = Review
    permission_action = "change"

    def get_review(self) -> Review:
        return get_object_or_404(selectors.review_list(user=self.request.user, action="view"), pk=self.kwargs["pk"])


class ReviewPrepareView(ReviewStepView):
    """GET asks for confirmation (a second compile replaces the snapshot); POST compiles the inputs."""

    def get(self, request, *args, **kwargs):
        review = self.get_review()
        return render(request, "reviews/review_prepare.html", {"object": review, "opts": Review._meta})

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        try:
            services.review_prepare(actor=request.user, review=review)
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(request, f"The inputs for {review.reference} were compiled and frozen.")
        return redirect(review.get_absolute_url())


class ReviewHoldView(ReviewStepView):
    """The answers to the three questions and the minutes; saving records the review as held."""

    def render_form(self, review, form, status=200):
        context = {
            "form": form,
            "title": f"Record {review.reference} as held",
            "cancel_url": review.get_absolute_url(),
            "opts": Review._meta,
            "intro": "Answer the three questions the review asks; the inputs stay as compiled.",
        }
        return render(self.request, FORM_TEMPLATE, context, status=status)

    def get(self, request, *args, **kwargs):
        review = self.get_review()
        initial = {name: getattr(review, name) for name in (*QUESTIONS, "minutes")}
        return self.render_form(review, HoldForm(initial=initial))

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        form = HoldForm(request.POST)
        if form.is_valid():
            try:
                services.review_hold(actor=request.user, review=review, data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{review.reference} was recorded as held.")
                return redirect(review.get_absolute_url())
        return self.render_form(review, form, status=400)


class OutputCreateView(RegisterViewMixin, View):
    """Record a decision of the review (9.3.3), and optionally the action that carries it out."""

    model = ReviewOutput
    permission_action = "add"

    def get_review(self) -> Review:
        review = get_object_or_404(selectors.review_list(user=self.request.user), pk=self.kwargs["pk"])
        if review.status == ReviewStatus.APPROVED:
            raise PermissionDenied("This review is approved and signed.")
        return review

    def render_form(self, review, form, status=200):
        context = {
            "form": form,
            "title": f"Add an output to {review.reference}",
            "cancel_url": review.get_absolute_url(),
            "opts": ReviewOutput._meta,
            "intro": "An improvement opportunity, a change needed to the QMS or a resource need. "
            "Give an action owner and due date to raise an action with the review as its source.",
        }
        return render(self.request, FORM_TEMPLATE, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_review(), OutputForm())

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        form = OutputForm(request.POST)
        if form.is_valid():
            try:
                output = services.output_add(actor=request.user, review=review, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                note = f" and action {output.action.reference} was raised" if output.action else ""
                messages.success(request, f"The output was recorded{note}.")
                return redirect(review.get_absolute_url())
        return self.render_form(review, form, status=400)


class ReviewApproveView(RegisterViewMixin, View):
    """The chair signs the held review with their password; anyone else is refused."""

    model = Review
    permission_action = "approve"

    def get_review(self) -> Review:
        review = get_object_or_404(selectors.review_list(user=self.request.user), pk=self.kwargs["pk"])
        if not services.may_approve(self.request.user, review):
            raise PermissionDenied("Only the chair of the review may approve it.")
        return review

    def render_form(self, review, form, status=200):
        context = {"form": form, "object": review, "opts": Review._meta, "cancel_url": review.get_absolute_url()}
        return render(self.request, "reviews/review_approve.html", context, status=status)

    def get(self, request, *args, **kwargs):
        review = self.get_review()
        if review.status != ReviewStatus.HELD:
            messages.error(request, "Only a review that has been held can be approved.")
            return redirect(review.get_absolute_url())
        return self.render_form(review, ApproveForm())

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        form = ApproveForm(request.POST)
        if form.is_valid():
            try:
                services.review_approve(actor=request.user, review=review, password=form.cleaned_data["password"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{review.reference} was approved and signed.")
                return redirect(review.get_absolute_url())
        return self.render_form(review, form, status=400)


class SummaryListView(RegisterListView):
    """The scheduled summaries as they were sent, newest first."""

    model = Summary
    template_name = "reviews/summary_list.html"
    filterset_class = SummaryFilterSet
    columns = [
        ("title", "Summary"),
        ("kind", "Kind"),
        ("period_start", "Period from"),
        ("period_end", "Period to"),
        ("compiled_at", "Compiled"),
        ("delivery", "E-mail"),
    ]
    sortable = {"period_start": "period_start", "compiled_at": "compiled_at"}
    default_sort = "-period_start"
    export_columns = [
        ("title", "title"),
        ("kind", "kind"),
        ("period_start", "period_start"),
        ("period_end", "period_end"),
        ("compiled_at", "compiled_at"),
        ("delivery.sent_at", "sent_at"),
    ]
    export_basename = "summaries"
    row_template = "reviews/_summary_row.html"
    extra_context = {"title": "Scheduled summaries"}

    def base_queryset(self):
        return selectors.summary_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        from .schedules import describe, schedule_read

        context = super().get_context_data(**kwargs)
        context["schedules"] = [describe(schedule_read(kind)) for kind in SummaryKind.values]
        context["schedule_pairs"] = list(zip(SummaryKind.labels, context["schedules"], strict=True))
        context["can_schedule"] = can(self.request.user, "schedule", Summary)
        context["empty_hint"] = (
            "The first summaries are made at the times shown above; each one is kept here once sent."
        )
        return context


class SummaryDetailView(RegisterDetailView):
    """One summary as it was sent: its frozen content, who it went to, and the PDF."""

    model = Summary
    template_name = "reviews/summary_detail.html"

    def get_queryset(self):
        return selectors.summary_detail_queryset(user=self.request.user)


class SummaryPdfView(RegisterViewMixin, View):
    """The PDF attached to the summary's e-mail, as stored."""

    model = Summary

    def get(self, request, *args, **kwargs):
        summary = get_object_or_404(selectors.summary_pdf_queryset(user=request.user), pk=kwargs["pk"])
        response = HttpResponse(bytes(summary.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{summary.pdf_filename}"'
        return response


class SummaryScheduleView(RegisterViewMixin, View):
    """When the two summaries are sent; quality managers change it (django-celery-beat rows)."""

    model = Summary
    permission_action = "schedule"

    def render_page(self, forms, status=200):
        from .schedules import describe, schedule_read

        rows = [
            {"kind": kind, "label": SummaryKind(kind).label, "form": forms[kind], "now": describe(schedule_read(kind))}
            for kind in SummaryKind.values
        ]
        context = {"rows": rows, "title": "When summaries are sent", "cancel_url": reverse("reviews:summary_list")}
        return render(self.request, "reviews/summary_schedule.html", context, status=status)

    def _initial_forms(self):
        from .schedules import schedule_read

        forms = {}
        for kind in SummaryKind.values:
            schedule = schedule_read(kind)
            initial = {"enabled": schedule["enabled"], "day": schedule["day"], "time": schedule["time"]}
            forms[kind] = SummaryScheduleForm(kind=kind, prefix=kind, initial=initial)
        return forms

    def get(self, request, *args, **kwargs):
        return self.render_page(self._initial_forms())

    def post(self, request, *args, **kwargs):
        from .schedules import describe, schedule_update

        kind = request.POST.get("kind", "")
        forms = self._initial_forms()
        if kind not in SummaryKind.values:
            messages.error(request, "Choose which summary's schedule to change.")
            return self.render_page(forms, status=400)
        form = forms[kind] = SummaryScheduleForm(request.POST, kind=kind, prefix=kind)
        if form.is_valid():
            try:
                schedule = schedule_update(actor=request.user, kind=kind, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{SummaryKind(kind).label}: {describe(schedule)}.")
                return redirect("reviews:summary_schedule")
        return self.render_page(forms, status=400)
