"""Pages of actions: the list, my actions, one action with its transitions, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from qms.accounts.permissions import can
from qms.core.views import RegisterDetailView, RegisterFormView, RegisterListView, RegisterUpdateView, RegisterViewMixin

from . import selectors, services
from .choices import ActionKind, ActionStatus
from .filters import ActionFilterSet
from .forms import ActionForm, TransitionForm
from .models import Action
from .workflow import TRANSITIONS, allowed_from


def _transitions_for(user, action: Action) -> list:
    """The transitions the table allows from the action's status that this user may perform."""
    return [
        transition for transition in allowed_from(action.status) if can(user, transition.permission, Action, action)
    ]


def _source_link(user, action: Action) -> str:
    """The source's page when it still exists and the user may see it; "" otherwise."""
    if not action.source_type_id:
        return ""
    try:
        source = action.source
    except (AttributeError, LookupError):
        return ""
    if source is None or not hasattr(source, "get_absolute_url") or not can(user, "view", type(source), source):
        return ""
    return source.get_absolute_url()


class ActionListView(RegisterListView):
    model = Action
    template_name = "actions/action_list.html"
    filterset_class = ActionFilterSet
    columns = [
        ("reference", "Reference"),
        ("title", "Title"),
        ("kind", "Kind"),
        ("status", "Status"),
        ("owner.display_name", "Owner"),
        ("due_date", "Due"),
        ("source_label", "Source"),
        ("overdue_label", "Overdue"),
    ]
    sortable = {
        "reference": "pk",
        "title": "title",
        "kind": "kind",
        "status": "status",
        "owner.display_name": "owner__first_name",
        "due_date": "due_date",
        "source_label": "source_label",
        "overdue_label": "overdue",
    }
    default_sort = "due_date"
    # What the page's rows show (not the description and completion note, nor the owner's whole row).
    list_fields = (
        *("title", "kind", "status", "due_date", "source_label"),
        *("owner__first_name", "owner__last_name", "owner__username"),
    )
    export_columns = [
        ("reference", "reference"),
        ("title", "title"),
        ("kind", "kind"),
        ("status", "status"),
        ("owner.username", "owner"),
        ("due_date", "due_date"),
        ("overdue_label", "overdue"),
        ("source_label", "source"),
        ("description", "description"),
        ("completion_note", "completion_note"),
        ("completed_at", "completed_at"),
        ("check_planned_on", "check_planned_on"),
        ("check_criteria", "check_criteria"),
        ("check_notes", "check_notes"),
        ("checked_at", "checked_at"),
        ("cancel_reason", "cancel_reason"),
        ("created_at", "created_at"),
    ]
    export_basename = "actions"
    extra_context = {
        "title": "Actions",
        "empty_hint": "Actions are raised from a requirement evaluated as not met, a complaint or a risk; "
        "a quality manager can also add one here with “Add action”.",
    }

    def base_queryset(self):
        return selectors.action_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("actions:action_create")
        form = self.filterset.form
        # The source filter is for links and the API; people search the source's name with "q".
        form.fields.pop("source", None)
        return context


class MyActionsView(RegisterViewMixin, TemplateView):
    """The signed-in person's actions to do, and those done awaiting their effectiveness check."""

    model = Action
    template_name = "actions/my_actions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(selectors.my_actions(self.request.user))
        context.update(
            title="My actions",
            rows=rows,
            overdue_count=sum(1 for row in rows if row.overdue),
            can_work=can(self.request.user, "work", Action),
            open_statuses=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
        )
        return context


class ActionDetailView(RegisterDetailView):
    model = Action
    template_name = "actions/action_detail.html"
    fields = [
        ("reference", "Reference"),
        ("kind", "Kind"),
        ("status", "Status"),
        ("owner.display_name", "Owner"),
        ("due_date", "Due date"),
        ("description", "Description"),
        ("source_label", "Raised from"),
        ("completion_note", "What was done"),
        ("completed_at", "Done at"),
        ("check_planned_on", "Effectiveness check planned on"),
        ("check_criteria", "Effectiveness criteria"),
        ("check_notes", "Effectiveness check found"),
        ("checked_by.display_name", "Checked by"),
        ("checked_at", "Checked at"),
        ("cancel_reason", "Why cancelled"),
        ("created_by.display_name", "Raised by"),
        ("created_at", "Created"),
        ("updated_at", "Last changed"),
    ]

    def get_queryset(self):
        return selectors.action_list(user=self.request.user).select_related("checked_by", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transitions = _transitions_for(self.request.user, self.object)
        names = {transition.name for transition in transitions}
        context.update(
            transitions=[t for t in transitions if not t.name.startswith("verify_")],
            can_verify={"verify_effective", "verify_not_effective"} <= names,
            source_url=_source_link(self.request.user, self.object),
        )
        return context


class ActionCreateView(RegisterFormView):
    """A new action; ``?source=app_label.model:id`` raises it from that record (which the user must see)."""

    model = Action
    form_class = ActionForm
    permission_action = "add"

    def get_object(self):
        ref = self.request.GET.get("source", "")
        self.source = None
        if ref:
            try:
                self.source = selectors.source_for_ref(ref, user=self.request.user)
            except ValidationError as exc:
                raise Http404("No such source record, or you may not see it.") from exc
        return None

    def get_initial(self):
        initial = {}
        if self.source is not None:
            initial["kind"] = ActionKind.CORRECTIVE
        kind = self.request.GET.get("kind")
        if kind in ActionKind.values:
            initial["kind"] = kind
        return initial

    def get_title(self):
        return f"New action from {self.source}" if self.source is not None else "New action"

    def get_cancel_url(self):
        if self.source is not None and hasattr(self.source, "get_absolute_url"):
            return self.source.get_absolute_url()
        return reverse("actions:action_list")

    def save(self, form):
        return services.action_create(actor=self.request.user, source=self.source, **form.cleaned_data)


class ActionUpdateView(RegisterUpdateView):
    model = Action
    form_class = ActionForm

    def get_title(self):
        return f"Edit action {self.object.reference}"

    def save(self, form):
        return services.action_update(actor=self.request.user, action=self.object, **form.cleaned_data)


class ActionTransitionView(RegisterViewMixin, View):
    """POST ``transition`` (and ``note``): start, mark done, check effectiveness, reopen or cancel.

    The service decides who may (the owner works their own; the quality manager the rest) and from which
    status; a refusal comes back as a message naming the field.
    """

    model = Action
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = get_object_or_404(Action.objects.restrict(request.user, "view"), pk=kwargs["pk"])
        if not services.may_work_on(request.user, action):
            raise PermissionDenied
        form = TransitionForm(request.POST)
        back = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
            back = ""
        back = back or action.get_absolute_url()
        if not form.is_valid():
            messages.error(request, f"{action.reference} was not changed. Transition: choose one of the buttons.")
            return redirect(back)
        name = form.cleaned_data["transition"]
        try:
            services.action_transition(
                actor=request.user, action=action, transition=name, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            labels = {"note": TRANSITIONS[name].note_label or "Note", "status": "Status"}
            reasons = "; ".join(
                f"{labels.get(field, field.replace('_', ' ').capitalize())}: {' '.join(texts)}"
                for field, texts in exc.message_dict.items()
            )
            messages.error(request, f"{action.reference} was not changed. {reasons}")
            return redirect(back)
        messages.success(request, f"{action.reference} is now {action.get_status_display().lower()}.")
        return redirect(back)
