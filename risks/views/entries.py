"""The register's own pages: the list, one entry with its scores, steps and treatment, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from qms.accounts.permissions import can
from qms.actions.selectors import actions_for_source
from qms.core.views import RegisterDetailView, RegisterListView, RegisterViewMixin, attach_errors

from .. import selectors, services
from ..choices import OPEN_STATUSES, AssessmentKind, EntryKind
from ..filters import RiskEntryFilterSet
from ..forms import AssessmentForm, RiskEntryForm, RiskProposeForm, StepForm, TreatmentActionForm
from ..models import RiskEntry
from ..templatetags.risks import entry_row_cells
from ..workflow import STEPS

# Where the list's cell filter (from the heat map) looks: the latest inherent or residual levels.
CELL_FIELDS = {
    "inherent": ("inherent_likelihood", "inherent_impact"),
    "residual": ("residual_likelihood", "residual_impact"),
}


def band_colours(matrix) -> dict[str, str]:
    return {band["name"]: band.get("colour", "") for band in (matrix.bands if matrix else [])}


def awaits_approval(entry: RiskEntry) -> bool:
    return entry.approval_required and entry.accepted_at is not None and entry.approved_at is None


def offered_steps(user, entry: RiskEntry) -> list:
    """The steps shown as forms: those the service allows this user now, without scoring (its own form),
    approval only while an acceptance waits for it, and no second acceptance while one waits."""
    pending = awaits_approval(entry)
    return [
        step
        for step in services.allowed_steps(entry, user)
        if step.name != "assess" and (step.name != "approve" or pending) and not (step.name == "accept" and pending)
    ]


may_edit = services.may_work_on


def may_raise_action(user, entry: RiskEntry) -> bool:
    """The entry's owner (or a quality manager) plans its treatment; the action joins the shared register."""
    return services.may_work_on(user, entry)


def may_take(user, step, entry: RiskEntry) -> bool:
    """Whether ``user`` may take ``step`` on ``entry`` from some status (the role, not the state)."""
    if step.permission == "approve":
        return can(user, "approve", RiskEntry, entry)
    if step.permission == "change":
        return can(user, "change", RiskEntry, entry)
    return services.may_work_on(user, entry)


# The list ------------------------------------------------------------------------------------------


class RiskEntryListView(RegisterListView):
    model = RiskEntry
    template_name = "risks/entry_list.html"
    filterset_class = RiskEntryFilterSet
    columns = [
        ("reference", "Reference"),
        ("title", "Title"),
        ("kind", "Kind"),
        ("category", "Category"),
        ("owner.display_name", "Owner"),
        ("status", "Status"),
        ("inherent_score", "Inherent"),
        ("residual_score", "Residual"),
        ("next_review_date", "Next review"),
    ]
    sortable = {
        "reference": "reference",
        "title": "title",
        "kind": "kind",
        "status": "status",
        "inherent_score": "inherent_score",
        "residual_score": "residual_score",
        "next_review_date": "next_review_date",
    }
    default_sort = "-inherent_score"
    # What the page's rows show (not the description, cause and effect, nor the owner's whole row).
    list_fields = (
        *("reference", "title", "kind", "status", "next_review_date"),
        *("inherent_score", "inherent_band", "residual_score", "residual_band", "category__name"),
        *("owner__first_name", "owner__last_name", "owner__username"),
    )
    export_columns = [
        ("reference", "reference"),
        ("kind", "kind"),
        ("title", "title"),
        ("description", "description"),
        ("cause", "cause"),
        ("effect", "effect"),
        ("source", "source"),
        ("category.name", "category"),
        ("owner.username", "owner"),
        ("status", "status"),
        ("inherent_score", "inherent_score"),
        ("inherent_band", "inherent_band"),
        ("target_score", "target_score"),
        ("target_band", "target_band"),
        ("residual_score", "residual_score"),
        ("residual_band", "residual_band"),
        ("treatment_option", "treatment_option"),
        ("review_frequency_months", "review_frequency_months"),
        ("next_review_date", "next_review_date"),
    ]
    export_basename = "risks"
    row_cells = staticmethod(entry_row_cells)
    extra_context = {"title": "Risks and opportunities"}

    def base_queryset(self):
        return selectors.entry_list(user=self.request.user).select_related("owner", "category")

    def cell_filter(self) -> dict | None:
        """``which``, ``likelihood`` and ``impact`` from a heat-map cell's link, when all three are valid."""
        which = self.request.GET.get("which", "")
        try:
            likelihood, impact = int(self.request.GET["likelihood"]), int(self.request.GET["impact"])
        except (KeyError, ValueError):
            return None
        if which not in CELL_FIELDS:
            return None
        return {"which": which, "likelihood": likelihood, "impact": impact}

    def get_queryset(self):
        queryset = super().get_queryset()
        self.cell = self.cell_filter()
        if self.cell:
            likelihood_field, impact_field = CELL_FIELDS[self.cell["which"]]
            # The heat map counts open entries only; its links show the same ones.
            queryset = queryset.filter(
                **{likelihood_field: self.cell["likelihood"], impact_field: self.cell["impact"]},
                status__in=OPEN_STATUSES,
            )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["create_url"] = reverse("risks:entry_create")
        context["can_propose"] = can(user, "add", RiskEntry) or can(user, "propose", RiskEntry)
        context["empty_hint"] = "Add a risk or opportunity" + (
            " with the button above." if context["can_propose"] else " (a quality manager or staff can)."
        )
        context["cell"] = self.cell
        context["today"] = timezone.localdate()
        context["band_colours"] = band_colours(services.active_matrix())
        return context


# One entry -----------------------------------------------------------------------------------------


class RiskEntryDetailView(RegisterDetailView):
    model = RiskEntry
    template_name = "risks/entry_detail.html"
    fields = [
        ("reference", "Reference"),
        ("kind", "Kind"),
        ("category", "Category"),
        ("owner.display_name", "Owner"),
        ("status", "Status"),
        ("source", "Source"),
        ("context_issue", "Context issue"),
        ("interested_party", "Interested party"),
        ("description", "Description"),
        ("cause", "Cause"),
        ("effect", "Effect"),
        ("review_frequency_months", "Review every (months)"),
        ("next_review_date", "Next review"),
        ("treatment_option", "Treatment option"),
        ("treatment_plan", "Treatment plan"),
        ("proposed_by.display_name", "Proposed by"),
    ]
    # Set by the POST views when a form was refused: (name, bound form), shown open with its errors.
    failed_form: tuple[str, object] | None = None

    def get_queryset(self):
        return selectors.entry_list(user=self.request.user).select_related(
            "owner", "category", "context_issue", "interested_party", "proposed_by", "accepted_by", "approved_by"
        )

    def step_forms(self, entry: RiskEntry) -> list[StepForm]:
        user, forms = self.request.user, []
        for step in offered_steps(user, entry):
            if self.failed_form and self.failed_form[0] == step.name:
                forms.append(self.failed_form[1])
            else:
                forms.append(StepForm(step=step, entry=entry))
        return forms

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry, user = self.object, self.request.user
        matrix = services.active_matrix()
        may_work = services.may_work_on(user, entry)
        if self.failed_form and self.failed_form[0] == "assess":
            assess_form = self.failed_form[1]
        else:
            assess_form = AssessmentForm(matrix=matrix, entry=entry)
        history = list(selectors.score_history(entry))
        context.update(
            matrix=matrix,
            band_colours=band_colours(matrix),
            may_assess=may_work and entry.status != "closed" and matrix is not None,
            assess_form=assess_form,
            step_forms=self.step_forms(entry),
            failed_name=self.failed_form[0] if self.failed_form else "",
            actions=list(actions_for_source(entry)),
            may_add_action=may_raise_action(user, entry) and entry.status != "closed",
            reviews=list(entry.effectiveness_reviews.select_related("reviewer", "residual")),
            score_history=history,
            chart_points=_chart_points(history),
            can_edit=may_edit(user, entry) and entry.status != "closed",
            linked_sections=_linked_sections(selectors.linked_records(entry, user=user)),
            awaiting_approval=awaits_approval(entry),
            is_open=entry.status in OPEN_STATUSES,
        )
        return context

    def refused(self, entry, name: str, form, errors_label: str):
        """The page again with the refused form open, its errors and what was typed (HTTP 400)."""
        messages.error(self.request, f"{errors_label} was refused; nothing was changed.")
        self.object = entry
        self.failed_form = (name, form)
        return self.render_to_response(self.get_context_data(object=entry), status=400)


def _linked_sections(linked: dict) -> list[tuple[str, list]]:
    return [
        ("Requirements", linked["requirements"]),
        ("Customers", linked["customers"]),
        ("Feedback", linked["feedback"]),
    ]


def _chart_points(history) -> dict:
    """The score history for Chart.js: one point per assessment (in order), and per kind the score then
    in force, carried forward, so each line shows the level over time."""
    labels, series = [], {kind: [] for kind in AssessmentKind.values}
    latest: dict[str, int | None] = dict.fromkeys(AssessmentKind.values)
    for row in sorted(history, key=lambda row: (row.assessed_at, row.pk)):
        latest[row.kind] = row.score
        labels.append(timezone.localtime(row.assessed_at).strftime("%Y-%m-%d %H:%M"))
        for kind in series:
            series[kind].append(latest[kind])
    return {"labels": labels, "series": series}


class RiskEntryAssessView(RiskEntryDetailView):
    """POST a score (inherent, target or residual) on the active matrix."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        entry = self.get_object()
        if not services.may_work_on(request.user, entry):
            raise PermissionDenied
        form = AssessmentForm(request.POST, matrix=services.active_matrix(), entry=entry)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment = services.entry_assess(
                    actor=request.user,
                    entry=entry,
                    kind=data["kind"],
                    likelihood=data["likelihood"],
                    impact=data["impact"],
                    note=data["note"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{entry.reference}: {assessment.get_kind_display().lower()} score {assessment.score} "
                    f"({assessment.band}).",
                )
                return redirect(entry)
        return self.refused(entry, "assess", form, "The score")


class RiskEntryStepView(RiskEntryDetailView):
    """POST one workflow step (``step``) with what it asks for."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        entry = self.get_object()
        # Whoever may take no step at all on this entry is refused before the form is looked at.
        if not (services.may_work_on(request.user, entry) or can(request.user, "approve", RiskEntry)):
            raise PermissionDenied
        name = request.POST.get("step", "")
        step = next((step for step in STEPS if step.name == name and step.name != "assess"), None)
        if step is None:
            messages.error(request, "Step: choose one of the steps offered on the page.")
            return redirect(entry)
        # Who may take the step is a 403; from which status is the service's ValidationError (a 400).
        if not may_take(request.user, step, entry):
            raise PermissionDenied
        form = StepForm(request.POST, step=step, entry=entry)
        if form.is_valid():
            extra = form.service_kwargs()
            comment = extra.pop("comment", "")
            try:
                entry = services.entry_step(actor=request.user, entry=entry, name=name, comment=comment, **extra)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{entry.reference}: {step.label.lower()} done; it is now {entry.get_status_display().lower()}.",
                )
                return redirect(entry)
        for error in form.non_field_errors():
            messages.error(request, error)
        return self.refused(entry, name, form, step.label)


# Create and edit -----------------------------------------------------------------------------------


class RiskEntryCreateView(RegisterViewMixin, View):
    """Quality managers add an entry with every field; staff propose one (it starts identified)."""

    model = RiskEntry
    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (can(user, "add", RiskEntry) or can(user, "propose", RiskEntry)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_class(self):
        return RiskEntryForm if can(self.request.user, "add", RiskEntry) else RiskProposeForm

    def _render(self, form, status=200):
        full = can(self.request.user, "add", RiskEntry)
        context = {
            "form": form,
            "title": "New risk or opportunity" if full else "Propose a risk or opportunity",
            "intro": ""
            if full
            else "A quality manager scores your proposal and gives it an owner; it starts as identified.",
            "cancel_url": reverse("risks:entry_list"),
            "opts": self.model._meta,
            "submit_label": "Save" if full else "Propose",
        }
        return render(self.request, "risks/entry_form.html", context, status=status)

    def get(self, request, *args, **kwargs):
        initial = {"owner": request.user.pk}
        if request.GET.get("kind") in EntryKind.values:
            initial["kind"] = request.GET["kind"]
        return self._render(self.form_class()(initial=initial))

    def post(self, request, *args, **kwargs):
        form = self.form_class()(request.POST)
        if form.is_valid():
            try:
                entry = services.entry_create(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{entry} was created.")
                return redirect(entry)
        return self._render(form, status=400)


class RiskEntryUpdateView(RegisterViewMixin, View):
    """Quality managers edit every entry, owners their own (without handing it to someone else)."""

    model = RiskEntry

    def _entry(self) -> RiskEntry:
        entry = get_object_or_404(selectors.entry_list(user=self.request.user), pk=self.kwargs["pk"])
        if not may_edit(self.request.user, entry):
            raise PermissionDenied
        return entry

    def _form(self, entry, data=None):
        return RiskEntryForm(data, instance=entry, may_change_owner=can(self.request.user, "change", RiskEntry, entry))

    def _render(self, entry, form, status=200):
        context = {
            "form": form,
            "title": f"Edit {entry.reference}",
            "cancel_url": entry.get_absolute_url(),
            "opts": self.model._meta,
            "object": entry,
        }
        return render(self.request, "risks/entry_form.html", context, status=status)

    def get(self, request, *args, **kwargs):
        entry = self._entry()
        if entry.status == "closed":
            messages.error(request, f"{entry.reference} is closed; reopen it to change it.")
            return redirect(entry)
        return self._render(entry, self._form(entry))

    def post(self, request, *args, **kwargs):
        entry = self._entry()
        form = self._form(entry, request.POST)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.changed_data if not form.fields[name].disabled}
            try:
                # A fresh copy: the form has already written the typed values onto ``form.instance``.
                fresh = selectors.entry_list(user=request.user).get(pk=entry.pk)
                entry = services.entry_update(actor=request.user, entry=fresh, data=data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{entry.reference} was saved.")
                return redirect(entry)
        return self._render(entry, form, status=400)


class TreatmentActionCreateView(RegisterViewMixin, View):
    """An action from the shared actions register, raised to treat this entry."""

    model = RiskEntry

    def _entry(self) -> RiskEntry:
        entry = get_object_or_404(selectors.entry_list(user=self.request.user), pk=self.kwargs["pk"])
        if not may_raise_action(self.request.user, entry):
            raise PermissionDenied
        return entry

    def _render(self, entry, form, status=200):
        context = {
            "form": form,
            "title": f"Add a treatment action to {entry.reference}",
            "cancel_url": entry.get_absolute_url() + "#actions-heading",
            "opts": self.model._meta,
            "object": entry,
            "submit_label": "Add action",
        }
        return render(self.request, "risks/entry_form.html", context, status=status)

    def get(self, request, *args, **kwargs):
        entry = self._entry()
        return self._render(entry, TreatmentActionForm(initial={"owner": entry.owner_id}))

    def post(self, request, *args, **kwargs):
        entry = self._entry()
        form = TreatmentActionForm(request.POST)
        if form.is_valid():
            try:
                action = services.treatment_action_create(actor=request.user, entry=entry, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Treatment action {action.reference} was added to {entry.reference}.")
                return redirect(entry.get_absolute_url() + "#actions-heading")
        return self._render(entry, form, status=400)
