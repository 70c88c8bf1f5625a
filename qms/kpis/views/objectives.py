"""Quality objective pages (6.2): the list with derived statuses, one objective with its measures and
plan, and the form with the KPIs that measure it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from qms.accounts.permissions import can
from qms.core.views import RegisterDeleteView, RegisterDetailView, RegisterListView, RegisterViewMixin, attach_errors

from .. import selectors, services
from ..choices import ObjectiveStatus
from ..filters import ObjectiveFilterSet
from ..forms import MeasureFormSet, ObjectiveForm, measure_form_kwargs
from ..models import Objective
from .kpis import RAG_CLASSES

OBJECTIVE_CLASSES = {"on_track": "success", "achieved": "success", "at_risk": "warning", "off_track": "danger"}


class ObjectiveListView(RegisterListView):
    model = Objective
    template_name = "kpis/objective_list.html"
    filterset_class = ObjectiveFilterSet
    columns = [
        ("reference", "Reference"),
        ("statement", "Statement"),
        ("owner", "Owner"),
        ("target_date", "Target date"),
        ("status", "Status"),
        ("kpis", "KPIs"),
    ]
    sortable = {"reference": "reference", "owner": "owner__username", "target_date": "target_date"}
    default_sort = "target_date"
    export_columns = [
        ("reference", "reference"),
        ("statement", "statement"),
        ("owner.username", "owner"),
        ("target_date", "target_date"),
        ("status_override", "status_set_by_hand"),
        ("override_reason", "override_reason"),
    ]
    export_basename = "objectives"
    row_template = "kpis/_objective_row.html"
    extra_context = {"title": "Quality objectives"}

    def base_queryset(self):
        return selectors.objective_list(user=self.request.user)

    def get_queryset(self):
        queryset = super().get_queryset()
        wanted = self.request.GET.get("status", "")
        if wanted and self.filterset.is_valid():
            # The status is derived from the KPI values: three queries whatever the number of objectives.
            matching = [obj.pk for obj in selectors.with_status(list(queryset)) if obj.status == wanted]
            queryset = queryset.filter(pk__in=matching)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = selectors.with_status(list(context["object_list"]))
        context["status_classes"] = OBJECTIVE_CLASSES
        context["create_url"] = reverse("kpis:objective_create")
        context["empty_hint"] = (
            "Set the first quality objective with the “New objective” button."
            if context["can_add"]
            else "A quality manager sets the quality objectives."
        )
        return context


class ObjectiveDetailView(RegisterDetailView):
    model = Objective
    template_name = "kpis/objective_detail.html"
    fields = [
        ("reference", "Reference"),
        ("statement", "Statement"),
        ("owner.display_name", "Owner"),
        ("target_date", "Target date"),
        ("override_reason", "Why the status is set by hand"),
    ]

    def get_queryset(self):
        return selectors.objective_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        from qms.actions.models import Action
        from qms.actions.selectors import actions_for_source

        context = super().get_context_data(**kwargs)
        objective = selectors.with_status([self.object])[0]
        for row in objective.measure_rows:
            row["status_class"] = RAG_CLASSES[row["status"]]
        may_add_action = can(self.request.user, "add", Action)
        context.update(
            object=objective,
            derived_label=ObjectiveStatus(objective.derived_status).label.lower() if objective.derived_status else "",
            status_classes=OBJECTIVE_CLASSES,
            actions=list(actions_for_source(objective)),
            add_action_url=(reverse("actions:action_create") + f"?source=kpis.objective:{objective.pk}")
            if may_add_action
            else "",
        )
        return context


class ObjectiveEditView(RegisterViewMixin, View):
    """Create (no ``pk``) or edit an objective with the KPIs that measure it, through the services."""

    model = Objective
    template_name = "kpis/objective_form.html"

    def get_object(self) -> Objective | None:
        return None

    def kpi_choices(self):
        return selectors.kpi_list(user=self.request.user).order_by("name")

    def render_form(self, form, formset, status=200):
        context = {
            "form": form,
            "formset": formset,
            "object": self.object,
            "title": f"Edit quality objective {self.object}" if self.object else "New quality objective",
            "cancel_url": self.object.get_absolute_url() if self.object else reverse("kpis:objective_list"),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        initial = []
        if self.object is not None:
            initial = [{"kpi": link.kpi, "target": link.target} for link in self.object.measures.all()]
        formset = MeasureFormSet(
            initial=initial, prefix="measures", form_kwargs=measure_form_kwargs(self.kpi_choices())
        )
        return self.render_form(ObjectiveForm(instance=self.object), formset)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ObjectiveForm(request.POST, instance=self.object)
        formset = MeasureFormSet(request.POST, prefix="measures", form_kwargs=measure_form_kwargs(self.kpi_choices()))
        if form.is_valid() and formset.is_valid():
            fields = {name: form.cleaned_data[name] for name in services.OBJECTIVE_FIELDS if name in form.cleaned_data}
            try:
                if self.object is None:
                    saved = services.objective_create(actor=request.user, measures=formset.measures(), **fields)
                else:
                    saved = services.objective_update(
                        actor=request.user, objective=self.object, measures=formset.measures(), **fields
                    )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                verb = "created" if self.object is None else "saved"
                messages.success(request, f"Quality objective {saved.reference} was {verb}.")
                return redirect(saved.get_absolute_url())
        return self.render_form(form, formset, status=400)


class ObjectiveCreateView(ObjectiveEditView):
    permission_action = "add"


class ObjectiveUpdateView(ObjectiveEditView):
    permission_action = "change"

    def get_object(self) -> Objective:
        return get_object_or_404(
            Objective.objects.restrict(self.request.user, "change").prefetch_related("measures__kpi"),
            pk=self.kwargs["pk"],
        )


class ObjectiveDeleteView(RegisterDeleteView):
    model = Objective

    def consequences(self, objective):
        count = objective.measures.count()
        lines = ["Its actions stay in the actions register."]
        if count:
            lines.insert(0, f"Its link to {count} KPI{'s' if count != 1 else ''} goes with it (the KPIs stay).")
        return lines

    def delete(self, objective):
        services.objective_delete(actor=self.request.user, objective=objective)

    def get_success_url(self, objective):
        return reverse("kpis:objective_list")
