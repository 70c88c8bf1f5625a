"""Pages of the feedback register: the list with its Pareto chart, the quick log form, a complaint's
page with its workflow and its attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from qms.accounts.permissions import can, role_names
from qms.actions.choices import OPEN_STATUSES as ACTION_OPEN_STATUSES
from qms.actions.models import Action
from qms.actions.selectors import actions_for_source
from qms.core import rollups
from qms.core.uploads import attachment_response
from qms.core.views import (
    RegisterDeleteView,
    RegisterDetailView,
    RegisterListView,
    RegisterViewMixin,
    attach_errors,
)

from .. import selectors, services
from ..choices import FINAL_STATUSES, OPEN_STATUSES, FeedbackKind
from ..filters import FeedbackItemFilterSet
from ..forms import (
    AttachmentUploadForm,
    FeedbackEditForm,
    FeedbackLogForm,
    TransitionForm,
)
from ..models import Attachment, FeedbackItem
from ..rollups import PARETO
from ..templatetags.feedback_badges import item_row_cells
from ..workflow import TRANSITIONS


def _item_for(user, pk) -> FeedbackItem:
    """The item ``pk`` if ``user`` may see it; 404 otherwise (out of scope looks like missing)."""
    return get_object_or_404(selectors.feedback_detail(user=user), pk=pk)


# The list ------------------------------------------------------------------------------------------


class FeedbackItemListView(RegisterListView):
    model = FeedbackItem
    template_name = "feedback/item_list.html"
    filterset_class = FeedbackItemFilterSet
    columns = [
        ("reference", "Reference"),
        ("received_at", "Received"),
        ("kind", "Kind"),
        ("summary", "Summary"),
        ("customer", "Customer"),
        ("status", "Status"),
        ("severity", "Severity"),
        ("assignee.display_name", "Assignee"),
        ("next_due_at", "Due"),
    ]
    sortable = {
        "reference": "reference",
        "received_at": "received_at",
        "status": "status",
        "severity": "severity",
        "next_due_at": "next_due_at",
    }
    default_sort = "-received_at"
    export_columns = [
        ("reference", "reference"),
        ("kind", "kind"),
        ("status", "status"),
        ("channel", "channel"),
        ("received_at", "received_at"),
        ("customer.code", "customer"),
        ("complainant", "complainant"),
        ("product", "product"),
        ("category.name", "category"),
        ("summary", "summary"),
        ("severity", "severity"),
        ("assignee.username", "assignee"),
        ("acknowledge_due_at", "acknowledge_due_at"),
        ("acknowledged_at", "acknowledged_at"),
        ("resolve_due_at", "resolve_due_at"),
        ("resolved_at", "resolved_at"),
        ("due_label", "overdue_or_paused"),
        ("closed_at", "closed_at"),
        ("acceptance", "acceptance"),
    ]
    export_basename = "feedback"
    row_cells = staticmethod(item_row_cells)
    list_fields = (
        *("reference", "received_at", "kind", "summary", "status", "severity"),
        *("customer__name", "customer__code", "assignee__first_name", "assignee__last_name", "assignee__username"),
        *("acknowledge_due_at", "resolve_due_at", "paused_since"),  # what is due, worked out for the page
    )
    extra_context = {"title": "Feedback and complaints"}

    def base_queryset(self):
        # complainant_name reads the contact. What is due is worked out by the database to sort by it (and in
        # exports); otherwise for the page's rows only (``paginate_queryset``).
        due_in_sql = self.request.GET.get("sort", "").lstrip("-") == "next_due_at"
        return selectors.feedback_list(user=self.request.user, due=due_in_sql).select_related("contact")

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        now = timezone.now()
        for item in rows:
            if "due_label" not in item.__dict__:
                item.next_due_at, item.due_label = selectors.due_of(item, now)
        return paginator, page, rows, is_paginated

    def get_export_queryset(self):
        # The complainant as ``FeedbackItem.complainant_name`` gives it, counted by the database so the
        # export reads plain rows.
        queryset = self.get_queryset()
        if "due_label" not in queryset.query.annotations:
            queryset = selectors.with_due(queryset)
        return queryset.annotate(complainant=selectors.complainant_expression())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("feedback:item_create")
        context["empty_hint"] = (
            "Log feedback when a customer tells you something: a complaint, a compliment, a suggestion or a "
            "question." + (" Use “Log feedback” above." if context["can_add"] else "")
        )
        context["pareto"], context["pareto_counted"] = _pareto(self.request.user)
        context["now"] = timezone.now()
        return context


def _pareto(user) -> tuple[list[dict], rollups.Figures | None]:
    """Complaints per category: for those who see every complaint, as counted by the roll-up job."""
    from ..figures import complaints_by_category
    from ..models import OVERSEEING_ROLES

    if user.is_superuser or role_names(user) & OVERSEEING_ROLES:
        figures = rollups.read(PARETO)
        return figures.data, figures
    return complaints_by_category(user=user), None


# One item ------------------------------------------------------------------------------------------


class FeedbackItemDetailView(RegisterDetailView):
    model = FeedbackItem
    template_name = "feedback/item_detail.html"
    fields = [
        ("reference", "Reference"),
        ("kind", "Kind"),
        ("channel", "Channel"),
        ("received_at", "Received"),
        ("customer", "Customer"),
        ("complainant_name", "From"),
        ("complainant_email", "E-mail"),
        ("submitter_phone", "Phone"),
        ("product", "Product or service"),
        ("category", "Category"),
        ("assignee.display_name", "Assignee"),
        ("logged_by.display_name", "Logged by"),
    ]
    failed_transition: tuple[str, TransitionForm] | None = None

    def get_queryset(self):
        return selectors.feedback_detail(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = self.object, self.request.user
        actions = list(actions_for_source(item)) if item.is_complaint else []
        has_open_actions = any(action.status in ACTION_OPEN_STATUSES for action in actions)
        forms = []
        for transition in services.allowed_transitions(item, user):
            if self.failed_transition and self.failed_transition[0] == transition.name:
                form = self.failed_transition[1]
            else:
                form = TransitionForm(transition=transition, item=item, open_actions=has_open_actions)
            forms.append(form)
        context.update(
            transition_forms=forms,
            failed_transition_name=self.failed_transition[0] if self.failed_transition else "",
            timeline=_labelled(selectors.transitions_of(item)),
            targets=selectors.time_targets(item),
            actions=actions,
            has_open_actions=has_open_actions,
            can_raise_action=item.is_complaint and can(user, "add", Action),
            attachments=selectors.attachments_of(item),
            can_attach=can(user, "add", Attachment)
            and (can(user, "change", FeedbackItem, item) or user.pk in (item.assignee_id, item.logged_by_id)),
            can_delete_attachments=can(user, "delete", Attachment) and can(user, "change", FeedbackItem, item),
            can_edit=item.status not in FINAL_STATUSES
            and (can(user, "change", FeedbackItem, item) or can(user, "work", FeedbackItem, item)),
            requirements=item.requirements.all(),
            is_open=item.status in OPEN_STATUSES,
        )
        return context


STEP_LABELS = {"receive": "Received", **{t.name: t.label for t in TRANSITIONS}}


def _labelled(steps) -> list:
    """The timeline rows with the step's label as the buttons say it (not its internal name)."""
    steps = list(steps)
    for step in steps:
        step.label = STEP_LABELS.get(step.name, step.name)
    return steps


class FeedbackItemTransitionView(FeedbackItemDetailView):
    """POST one workflow step; a refusal re-renders the page with the step's form, its errors and
    what was typed (HTTP 400)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = item = self.get_object()
        # Whoever may take no step at all on this item is refused before the form is looked at.
        if not services.may_work_on(request.user, item):
            raise PermissionDenied
        name = request.POST.get("transition", "")
        transition = next((t for t in TRANSITIONS if t.name == name), None)
        if transition is None:
            messages.error(request, "Choose one of the steps offered on the page.")
            return redirect(item)
        has_open = item.is_complaint and selectors.has_open_actions(item)
        form = TransitionForm(request.POST, transition=transition, item=item, open_actions=has_open)
        if form.is_valid():
            try:
                item = services.feedback_transition(actor=request.user, item=item, name=name, **form.service_kwargs())
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{item.reference}: {transition.label.lower()} done; it is now "
                    f"{item.get_status_display().lower()}.",
                )
                return redirect(item)
        if "transition" in form.errors or not any(
            t.name == name for t in services.allowed_transitions(item, request.user)
        ):
            for error in form.errors.get("__all__", []) + form.errors.get("transition", []):
                messages.error(request, error)
        self.failed_transition = (name, form)
        context = self.get_context_data(object=item)
        context["transition_errors"] = form.errors
        return self.render_to_response(context, status=400)


class FeedbackItemCreateView(RegisterViewMixin, View):
    """The quick log form: a few fields now, the rest later."""

    model = FeedbackItem
    permission_action = "add"
    template_name = "feedback/item_form.html"

    def _render(self, form, status=200):
        context = {
            "form": form,
            "title": "Log feedback",
            "cancel_url": reverse("feedback:item_list"),
            "opts": self.model._meta,
            "multipart": True,
            "submit_label": "Log it",
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        initial = {}
        if request.GET.get("kind") in FeedbackKind.values:
            initial["kind"] = request.GET["kind"]
        return self._render(FeedbackLogForm(user=request.user, initial=initial))

    def post(self, request, *args, **kwargs):
        form = FeedbackLogForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = {key: value for key, value in form.cleaned_data.items() if key != "attachments"}
            try:
                item = services.feedback_log(actor=request.user, data=data, uploads=form.cleaned_data["attachments"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Logged as {item.reference}. Give this reference to the customer.")
                return redirect(item)
        return self._render(form, status=400)


class FeedbackItemUpdateView(RegisterViewMixin, View):
    """Quality managers edit everything; the assignee the working fields (assessment, investigation,
    response). The form only holds the fields the user may change."""

    model = FeedbackItem
    template_name = "feedback/item_form.html"

    def _item(self):
        item = _item_for(self.request.user, self.kwargs["pk"])
        user = self.request.user
        if not (can(user, "change", FeedbackItem, item) or can(user, "work", FeedbackItem, item)):
            raise PermissionDenied
        return item

    def _render(self, item, form, status=200):
        context = {
            "form": form,
            "title": f"Edit {item.reference}",
            "cancel_url": item.get_absolute_url(),
            "opts": self.model._meta,
            "object": item,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        item = self._item()
        if item.status in FINAL_STATUSES:
            messages.error(request, f"{item.reference} is {item.get_status_display().lower()}; reopen it to change it.")
            return redirect(item)
        return self._render(item, FeedbackEditForm(user=request.user, instance=item))

    def post(self, request, *args, **kwargs):
        item = self._item()
        form = FeedbackEditForm(request.POST, user=request.user, instance=item)
        if form.is_valid():
            data = _changes(form, item)
            try:
                item = services.feedback_update(actor=request.user, item=item, data=data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{item.reference} was saved.")
                return redirect(item)
        return self._render(item, form, status=400)


def _changes(form, item: FeedbackItem) -> dict:
    """Only what the user changed: the audit trail then shows real changes, and a time typed to the
    minute does not overwrite the seconds of the one recorded."""
    data = {name: form.cleaned_data[name] for name in form.changed_data if not form.fields[name].disabled}
    received_at = data.get("received_at")
    if received_at and received_at.replace(second=0, microsecond=0) == item.received_at.replace(
        second=0, microsecond=0
    ):
        del data["received_at"]
    return data


# Attachments ---------------------------------------------------------------------------------------


class AttachmentCreateView(RegisterViewMixin, View):
    model = Attachment
    permission_action = "add"
    template_name = "feedback/item_form.html"

    def _render(self, item, form, status=200):
        context = {
            "form": form,
            "title": f"Attach files to {item.reference}",
            "cancel_url": item.get_absolute_url() + "#attachments-heading",
            "opts": self.model._meta,
            "multipart": True,
            "submit_label": "Upload",
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self._render(_item_for(request.user, kwargs["pk"]), AttachmentUploadForm())

    def post(self, request, *args, **kwargs):
        item = _item_for(request.user, kwargs["pk"])
        form = AttachmentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = services.feedback_attach(actor=request.user, item=item, uploads=form.cleaned_data["file"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                names = ", ".join(attachment.original_name for attachment in saved)
                messages.success(request, f"Attached to {item.reference}: {names}.")
                return redirect(item.get_absolute_url() + "#attachments-heading")
        return self._render(item, form, status=400)


class AttachmentDownloadView(RegisterViewMixin, View):
    """Streams the file under its original name, to whoever may see the item."""

    model = Attachment

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            selectors.attachment_for(user=request.user, item_pk=kwargs["pk"], attachment_pk=kwargs["attachment_pk"])
        )
        try:
            return attachment_response(attachment.file, filename=attachment.original_name)
        except FileNotFoundError as exc:
            raise Http404("The file is missing from storage.") from exc


class AttachmentDeleteView(RegisterDeleteView):
    model = Attachment

    def get_object(self):
        return get_object_or_404(
            selectors.attachment_for(
                user=self.request.user,
                item_pk=self.kwargs["pk"],
                attachment_pk=self.kwargs["attachment_pk"],
                action="delete",
            )
        )

    def get(self, request, *args, **kwargs):
        attachment = self.get_object()
        context = {
            "object": attachment,
            "opts": self.model._meta,
            "consequences": [f"The file is removed from {attachment.item.reference}."],
            "cancel_url": attachment.item.get_absolute_url() + "#attachments-heading",
        }
        return render(request, "core/confirm_delete.html", context)

    def delete(self, attachment):
        services.feedback_attachment_delete(actor=self.request.user, attachment=attachment)

    def get_success_url(self, attachment):
        return attachment.item.get_absolute_url() + "#attachments-heading"


# Categories ----------------------------------------------------------------------------------------
