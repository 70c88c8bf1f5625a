"""Pages of the requirements register: requirements, interested parties, context issues, acknowledgements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, CharField, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from qms.accounts.permissions import can
from qms.actions.models import Action
from qms.actions.selectors import actions_for_sources
from qms.core.uploads import attachment_response
from qms.core.views import (
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    RegisterUpdateView,
    RegisterViewMixin,
    attach_errors,
)

from . import selectors, services
from .choices import EvaluationResult, RequirementKind, RequirementStatus
from .filters import ContextIssueFilterSet, InterestedPartyFilterSet, RequirementFilterSet
from .forms import (
    AssignmentForm,
    AttachmentForm,
    ContextIssueForm,
    EvaluationForm,
    InterestedPartyForm,
    RequirementForm,
)
from .models import (
    Acknowledgement,
    Assignment,
    Attachment,
    ContextIssue,
    Evaluation,
    InterestedParty,
    Requirement,
)

NEVER_EVALUATED = "Never evaluated"


class _DeleteRefusedAsMessage:
    """A service that refuses a deletion (ValidationError) sends the user back with its reason."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.get_object())


def _requirement_for(user, pk, action: str = "view") -> Requirement:
    return get_object_or_404(Requirement.objects.restrict(user, action), pk=pk)


# Requirements -------------------------------------------------------------------------------------


RESULT_LABELS = {value: str(label) for value, label in EvaluationResult.choices}


def _with_labels(queryset):
    """``overdue_label`` ("Overdue"/"No", sorted "No" first) and ``last_result_label`` worked out by the
    database. The last result's label is read by one subquery: a CASE over ``last_result`` repeated its
    subquery per choice."""
    overdue = selectors.overdue_q()
    newest_label = selectors.newest_evaluations().annotate(
        label=Case(
            *(When(result=value, then=Value(label)) for value, label in RESULT_LABELS.items()),
            default=Value(NEVER_EVALUATED),
            output_field=CharField(),
        )
    )
    return queryset.annotate(
        overdue_label=Case(When(overdue, then=Value("Overdue")), default=Value("No"), output_field=CharField()),
        last_result_label=Coalesce(
            Subquery(newest_label.values("label")[:1]), Value(NEVER_EVALUATED), output_field=CharField()
        ),
    )


class RequirementListView(RegisterListView):
    model = Requirement
    template_name = "requirements/requirement_list.html"
    filterset_class = RequirementFilterSet
    columns = [
        ("reference", "Reference"),
        ("title", "Title"),
        ("kind", "Kind"),
        ("status", "Status"),
        ("owner.display_name", "Owner"),
        ("next_review_date", "Next review"),
        ("last_result_label", "Last result"),
        ("overdue_label", "Overdue"),
    ]
    sortable = {
        "reference": "reference",
        "title": "title",
        "kind": "kind",
        "status": "status",
        "owner.display_name": "owner__first_name",
        "next_review_date": "next_review_date",
        "last_result_label": "last_result_label",
        "overdue_label": "overdue_label",
    }
    default_sort = "reference"
    # What the page's rows show; the customer and interested party are not joined for them.
    list_fields = (
        *("reference", "title", "kind", "status", "next_review_date"),
        *("owner__first_name", "owner__last_name", "owner__username"),
    )
    export_columns = [
        ("reference", "reference"),
        ("title", "title"),
        ("text", "text"),
        ("kind", "kind"),
        ("status", "status"),
        ("version", "version"),
        ("customer.code", "customer"),
        ("party.name", "interested_party"),
        ("legal_reference", "legal_reference"),
        ("jurisdiction", "jurisdiction"),
        ("authority", "authority"),
        ("applicability", "applicability"),
        ("owner.username", "owner"),
        ("criticality", "criticality"),
        ("review_frequency_months", "review_frequency_months"),
        ("next_review_date", "next_review_date"),
        ("last_result_label", "last_result"),
        ("last_evaluated_on", "last_evaluated_on"),
        ("overdue_label", "overdue"),
    ]
    export_basename = "requirements"
    extra_context = {
        "title": "Requirements",
        "empty_hint": "Add the customer, statutory and regulatory requirements you must meet.",
    }

    def base_queryset(self):
        # Words, not colour: the list and its exports say "Overdue" and the last result in words. The database
        # works them out to sort by them and for exports; otherwise they are worked out for the page's rows
        # only (``paginate_queryset``), from what ``requirement_list`` reads anyway.
        queryset = selectors.requirement_list(user=self.request.user)
        sort = self.request.GET.get("sort", "").lstrip("-")
        if sort in ("overdue_label", "last_result_label") or self.request.GET.get("export"):
            queryset = _with_labels(queryset)
        return queryset

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        today = timezone.localdate()
        for requirement in rows:
            if "overdue_label" not in requirement.__dict__:
                due = requirement.evaluation_due
                overdue = requirement.next_review_date < today or (due is not None and due < today)
                requirement.overdue_label = "Overdue" if overdue else "No"
                requirement.last_result_label = RESULT_LABELS.get(requirement.last_result, NEVER_EVALUATED)
        return paginator, page, rows, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("requirements:requirement_create")
        context["import_url"] = reverse("requirements:requirement_import")
        return context


class RequirementDetailView(RegisterDetailView):
    model = Requirement
    template_name = "requirements/requirement_detail.html"
    fields = [
        ("reference", "Reference"),
        ("kind", "Kind"),
        ("status", "Status"),
        ("version", "Version"),
        ("customer", "Customer"),
        ("party", "Interested party"),
        ("legal_reference", "Legal reference"),
        ("jurisdiction", "Jurisdiction"),
        ("authority", "Authority"),
        ("owner.display_name", "Owner"),
        ("criticality", "Criticality"),
        ("review_frequency_months", "Review every (months)"),
        ("next_review_date", "Next review"),
        ("created_at", "Created"),
        ("updated_at", "Last changed"),
    ]

    def get_queryset(self):
        return selectors.requirement_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        requirement = self.object
        user = self.request.user
        status_rows = selectors.acknowledgement_status(requirement)
        mine = next((row for row in status_rows if row["user"].pk == user.pk), None)
        is_active = requirement.status == RequirementStatus.ACTIVE
        evaluations = list(requirement.evaluations.select_related("evaluator"))
        # Every file of the requirement in one query; an evaluation's evidence files are among them.
        attachments = list(requirement.attachments.select_related("uploaded_by", "evaluation"))
        for evaluation in evaluations:
            evaluation.evidence_files = [file for file in attachments if file.evaluation_id == evaluation.pk]
        # One query for the actions of the requirement and of all its evaluations, shown in both places.
        actions = list(actions_for_sources([requirement, *evaluations]))
        evaluation_type = ContentType.objects.get_for_model(Evaluation)
        for evaluation in evaluations:
            evaluation.raised_actions = [
                action
                for action in actions
                if action.source_type_id == evaluation_type.pk and action.source_id == evaluation.pk
            ]
        context.update(
            versions=requirement.versions.all(),
            assignments=requirement.assignments.select_related("user", "group").order_by(
                "group__name", "user__username"
            ),
            acknowledgement_rows=status_rows,
            pending=[row for row in status_rows if not row["current"]],
            may_acknowledge=bool(
                mine and not mine["current"] and is_active and can(user, "acknowledge", Requirement, requirement)
            ),
            my_acknowledgement=mine,
            evaluations=evaluations,
            actions=actions,
            attachments=attachments,
            is_overdue=requirement.next_review_date < timezone.localdate()
            or bool(requirement.evaluation_due and requirement.evaluation_due < timezone.localdate()),
            can_manage_assignments=can(user, "add", Assignment),
            can_remove_assignments=can(user, "delete", Assignment),
            can_evaluate=can(user, "add", Evaluation) and requirement.status != RequirementStatus.RETIRED,
            can_raise_action=can(user, "add", Action),
            can_attach=can(user, "add", Attachment),
            can_delete_attachments=can(user, "delete", Attachment),
            is_draft=requirement.status == RequirementStatus.DRAFT,
        )
        if context["can_evaluate"]:
            context["evaluation_form"] = EvaluationForm()
        return context


class RequirementCreateView(RegisterFormView):
    model = Requirement
    form_class = RequirementForm
    permission_action = "add"

    def get_title(self):
        return "New requirement"

    def get_initial(self):
        """A need of an interested party becomes a requirement: its page links here with the values."""
        initial = {}
        party = (
            InterestedParty.objects.restrict(self.request.user, "view")
            .filter(pk=self.request.GET.get("party") or None)
            .select_related("customer")
            .first()
        )
        if party is not None:
            initial["party"] = party
            if party.customer_id:
                initial.update(kind=RequirementKind.SPECIFIED, customer=party.customer)
            else:
                initial["kind"] = RequirementKind.PARTY
        if self.request.GET.get("title"):
            initial["title"] = self.request.GET["title"][:200]
        return initial

    def get_cancel_url(self):
        return reverse("requirements:requirement_list")

    def save(self, form):
        return services.requirement_create(actor=self.request.user, data=form.cleaned_data)


class RequirementUpdateView(RegisterUpdateView):
    model = Requirement
    form_class = RequirementForm

    def get_title(self):
        return f"Edit requirement {self.object.reference}"

    def save(self, form):
        version = self.object.version
        data = {name: value for name, value in form.cleaned_data.items() if name != "reference_prefix"}
        saved = services.requirement_update(actor=self.request.user, requirement=self.object, data=data)
        if saved.version != version:
            messages.info(
                self.request,
                f"The wording changed, so this is now version {saved.version}; "
                "everyone assigned is asked to acknowledge it again.",
            )
        return saved


class RequirementDeleteView(_DeleteRefusedAsMessage, RegisterDeleteView):
    model = Requirement

    def get(self, request, *args, **kwargs):
        requirement = self.get_object()
        if requirement.status != RequirementStatus.DRAFT:
            messages.error(request, "Only drafts can be deleted; set the status to retired instead.")
            return redirect(requirement)
        return super().get(request, *args, **kwargs)

    def consequences(self, requirement):
        return ["Its versions, assignments, acknowledgements and attachments are deleted with it."]

    def delete(self, requirement):
        services.requirement_delete(actor=self.request.user, requirement=requirement)

    def get_success_url(self, requirement):
        return reverse("requirements:requirement_list")


class RequirementAcknowledgeView(RegisterViewMixin, View):
    """POST: the signed-in person acknowledges the current version (a fragment for htmx)."""

    model = Requirement
    permission_action = "acknowledge"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        requirement = _requirement_for(request.user, kwargs["pk"])
        try:
            acknowledgement = services.requirement_acknowledge(actor=request.user, requirement=requirement)
        except ValidationError as exc:
            message = " ".join(exc.messages)
            if request.htmx:
                return render(request, "requirements/_acknowledge.html", {"error": message}, status=400)
            messages.error(request, message)
            return redirect(requirement)
        text = f"You acknowledged version {acknowledgement.version} of {requirement.reference}."
        if request.htmx:
            return render(request, "requirements/_acknowledge.html", {"acknowledgement": acknowledgement})
        messages.success(request, text)
        return redirect(requirement)


# Assignments ------------------------------------------------------------------------------------------


class AssignmentCreateView(RegisterFormView):
    model = Assignment
    form_class = AssignmentForm
    permission_action = "add"

    def get_object(self):
        self.requirement = _requirement_for(self.request.user, self.kwargs["pk"])
        return None

    def get_title(self):
        return f"Assign {self.requirement.reference} to a person or role"

    def get_cancel_url(self):
        return self.requirement.get_absolute_url()

    def save(self, form):
        return services.assignment_add(
            actor=self.request.user,
            requirement=self.requirement,
            user=form.cleaned_data.get("user"),
            group=form.cleaned_data.get("group"),
        )


class AssignmentDeleteView(RegisterDeleteView):
    model = Assignment

    def get_object(self):
        return get_object_or_404(
            self.get_queryset().select_related("requirement", "user", "group"),
            pk=self.kwargs["assignment_pk"],
            requirement_id=self.kwargs["pk"],
        )

    def consequences(self, assignment):
        return ["Acknowledgements already given stay on record."]

    def delete(self, assignment):
        services.assignment_remove(actor=self.request.user, assignment=assignment)

    def get_success_url(self, assignment):
        return assignment.requirement.get_absolute_url()


# Evaluations (one "not met" raises a corrective action in qms.actions) ---------------------------------


class EvaluationCreateView(RegisterFormView):
    model = Evaluation
    form_class = EvaluationForm
    permission_action = "add"

    def get_object(self):
        self.requirement = _requirement_for(self.request.user, self.kwargs["pk"])
        return None

    def get(self, request, *args, **kwargs):
        self.get_object()
        if self.requirement.status == RequirementStatus.RETIRED:
            messages.error(request, "This requirement is retired; retired requirements are not evaluated.")
            return redirect(self.requirement)
        return super().get(request, *args, **kwargs)

    def get_title(self):
        return f"Evaluate {self.requirement.reference}"

    def get_cancel_url(self):
        return self.requirement.get_absolute_url()

    def get_success_url(self, evaluation):
        return self.requirement.get_absolute_url()

    def render_form(self, form, status=200):
        context = {"form": form, "title": self.get_title(), "cancel_url": self.get_cancel_url()}
        context["requirement"] = self.requirement
        return render(self.request, "requirements/evaluation_form.html", context, status=status)

    def save(self, form):
        return services.evaluation_record(
            actor=self.request.user,
            requirement=self.requirement,
            data=form.evaluation_data(),
            action=form.action_data(),
        )


# Attachments -----------------------------------------------------------------------------------------


class AttachmentCreateView(RegisterViewMixin, View):
    model = Attachment
    permission_action = "add"
    template_name = "requirements/attachment_form.html"

    def _render(self, form, status=200):
        context = {
            "form": form,
            "title": f"Attach a document to {self.requirement.reference}",
            "cancel_url": self.requirement.get_absolute_url(),
            "requirement": self.requirement,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.requirement = _requirement_for(request.user, kwargs["pk"])
        return self._render(AttachmentForm(requirement=self.requirement))

    def post(self, request, *args, **kwargs):
        self.requirement = _requirement_for(request.user, kwargs["pk"])
        form = AttachmentForm(request.POST, request.FILES, requirement=self.requirement)
        if form.is_valid():
            try:
                attachment = services.attachment_add(
                    actor=request.user,
                    requirement=self.requirement,
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    evaluation=form.cleaned_data["evaluation"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{attachment.original_name} was attached.")
                return redirect(self.requirement.get_absolute_url() + "#attachments-heading")
        return self._render(form, status=400)


class AttachmentDownloadView(RegisterViewMixin, View):
    """Streams the file under its original name, to whoever may view the requirement."""

    model = Attachment

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            self.get_queryset().filter(requirement__in=Requirement.objects.restrict(request.user, "view")),
            pk=kwargs["attachment_pk"],
            requirement_id=kwargs["pk"],
        )
        if not can(request.user, "view", Attachment, attachment):
            raise PermissionDenied
        try:
            return attachment_response(attachment.file, filename=attachment.original_name)
        except FileNotFoundError as exc:
            raise Http404("The file is missing from storage.") from exc


class AttachmentDeleteView(RegisterDeleteView):
    model = Attachment

    def get_object(self):
        return get_object_or_404(
            self.get_queryset().select_related("requirement"),
            pk=self.kwargs["attachment_pk"],
            requirement_id=self.kwargs["pk"],
        )

    def delete(self, attachment):
        services.attachment_delete(actor=self.request.user, attachment=attachment)

    def get_success_url(self, attachment):
        return attachment.requirement.get_absolute_url()


# Understood: who has not acknowledged ----------------------------------------------------------------


class AcknowledgementOverviewView(RegisterViewMixin, TemplateView):
    model = Requirement
    template_name = "requirements/acknowledgement_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.unacknowledged_by_requirement(user=self.request.user)
        context.update(
            title="Acknowledgements",
            rows=rows,
            assigned_count=sum(1 for row in rows if row["assignee_count"]),
            fully_acknowledged=sum(1 for row in rows if row["assignee_count"] and not row["pending"]),
            coverage_pct=selectors.acknowledged_coverage_pct(),
            met_pct=selectors.requirements_met_pct(),
            can_export_acknowledgements=can(self.request.user, "export", Acknowledgement),
            people=_pending_by_person(rows),
        )
        return context


def _pending_by_person(rows: list[dict]) -> list[dict]:
    """The same gaps seen per person: each one's requirements still to acknowledge."""
    by_person: dict[int, dict] = {}
    for row in rows:
        for person in row["pending"]:
            entry = by_person.setdefault(person.pk, {"person": person, "requirements": []})
            entry["requirements"].append(row["requirement"])
    return sorted(by_person.values(), key=lambda entry: entry["person"].display_name.lower())


# Interested parties and context issues ------------------------------------------------------------------


class InterestedPartyListView(RegisterListView):
    model = InterestedParty
    template_name = "requirements/party_list.html"
    filterset_class = InterestedPartyFilterSet
    columns = [
        ("name", "Name"),
        ("kind", "Kind"),
        ("customer", "Customer"),
        ("relevance", "Relevance"),
        ("review_date", "Review date"),
    ]
    sortable = {"name": "name", "kind": "kind", "relevance": "relevance", "review_date": "review_date"}
    default_sort = "name"
    export_columns = [
        ("name", "name"),
        ("kind", "kind"),
        ("customer.code", "customer"),
        ("relevance", "relevance"),
        ("needs", "needs"),
        ("review_date", "review_date"),
    ]
    export_basename = "interested-parties"
    extra_context = {
        "title": "Interested parties",
        "empty_hint": "Add the customers, regulators, suppliers and others whose needs bear on the QMS.",
    }

    def base_queryset(self):
        return InterestedParty.objects.restrict(self.request.user, "view").select_related("customer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("requirements:party_create")
        return context


class InterestedPartyDetailView(RegisterDetailView):
    model = InterestedParty
    template_name = "requirements/party_detail.html"
    fields = [
        ("name", "Name"),
        ("kind", "Kind"),
        ("customer", "Customer"),
        ("relevance", "Relevance"),
        ("review_date", "Review date"),
        ("created_at", "Created"),
        ("updated_at", "Last changed"),
    ]

    def get_queryset(self):
        return InterestedParty.objects.restrict(self.request.user, "view").select_related("customer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["requirements"] = Requirement.objects.restrict(self.request.user, "view").filter(party=self.object)
        context["need_rows"] = selectors.party_need_rows(party=self.object, user=self.request.user)
        context["can_add_requirement"] = can(self.request.user, "add", Requirement)
        return context


class InterestedPartyCreateView(RegisterFormView):
    model = InterestedParty
    form_class = InterestedPartyForm
    permission_action = "add"

    def get_title(self):
        return "New interested party"

    def get_cancel_url(self):
        return reverse("requirements:party_list")

    def save(self, form):
        return services.party_save(actor=self.request.user, party=None, data=form.cleaned_data)


class InterestedPartyUpdateView(RegisterUpdateView):
    model = InterestedParty
    form_class = InterestedPartyForm

    def get_title(self):
        return f"Edit interested party {self.object}"

    def save(self, form):
        return services.party_save(actor=self.request.user, party=self.object, data=form.cleaned_data)


class InterestedPartyDeleteView(_DeleteRefusedAsMessage, RegisterDeleteView):
    model = InterestedParty

    def consequences(self, party):
        if party.requirements.exists():
            return ["It is the source of requirements, so it cannot be deleted until they name another source."]
        return []

    def delete(self, party):
        services.party_delete(actor=self.request.user, party=party)

    def get_success_url(self, party):
        return reverse("requirements:party_list")


class ContextIssueListView(RegisterListView):
    model = ContextIssue
    template_name = "requirements/issue_list.html"
    filterset_class = ContextIssueFilterSet
    columns = [("title", "Title"), ("scope", "Internal or external"), ("review_date", "Review date")]
    sortable = {"title": "title", "scope": "scope", "review_date": "review_date"}
    default_sort = "title"
    export_columns = [
        ("title", "title"),
        ("scope", "scope"),
        ("description", "description"),
        ("effect", "effect"),
        ("review_date", "review_date"),
    ]
    export_basename = "context-issues"
    extra_context = {
        "title": "Context issues",
        "empty_hint": "Add the internal and external issues that bear on the QMS (4.1).",
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("requirements:issue_create")
        return context


class ContextIssueDetailView(RegisterDetailView):
    model = ContextIssue
    template_name = "requirements/issue_detail.html"
    fields = [
        ("title", "Title"),
        ("scope", "Internal or external"),
        ("description", "Description"),
        ("effect", "Effect on the QMS"),
        ("review_date", "Review date"),
        ("created_at", "Created"),
        ("updated_at", "Last changed"),
    ]


class ContextIssueCreateView(RegisterFormView):
    model = ContextIssue
    form_class = ContextIssueForm
    permission_action = "add"

    def get_title(self):
        return "New context issue"

    def get_cancel_url(self):
        return reverse("requirements:issue_list")

    def save(self, form):
        return services.issue_save(actor=self.request.user, issue=None, data=form.cleaned_data)


class ContextIssueUpdateView(RegisterUpdateView):
    model = ContextIssue
    form_class = ContextIssueForm

    def get_title(self):
        return f"Edit context issue {self.object}"

    def save(self, form):
        return services.issue_save(actor=self.request.user, issue=self.object, data=form.cleaned_data)


class ContextIssueDeleteView(RegisterDeleteView):
    model = ContextIssue

    def delete(self, issue):
        services.issue_delete(actor=self.request.user, issue=issue)

    def get_success_url(self, issue):
        return reverse("requirements:issue_list")
