"""KPI pages: the list with each KPI's latest value, definition forms, one KPI with its chart and values,
entering and deleting values, and the monthly order volumes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from qms.accounts.permissions import can
from qms.core.views import (
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    RegisterUpdateView,
    RegisterViewMixin,
    attach_errors,
)

from .. import selectors, services
from ..choices import ValueOrigin
from ..filters import KpiFilterSet
from ..forms import KpiForm, OrderVolumeForm, ValueForm
from ..models import Kpi, KpiValue, OrderVolume
from ..periods import is_closed, last_months, period_end, period_label, period_start

# Ten years of months: a longer range would build a very long table and chart.
MAX_RANGE_DAYS = 3660
RAG_CLASSES = {"green": "success", "amber": "warning", "red": "danger", "none": "secondary"}


def kpi_fields_saved(form) -> dict:
    return {name: form.cleaned_data[name] for name in services.KPI_FIELDS if name in form.cleaned_data}


# The list ------------------------------------------------------------------------------------------


class KpiListView(RegisterListView):
    model = Kpi
    template_name = "kpis/kpi_list.html"
    filterset_class = KpiFilterSet
    columns = [
        ("name", "Name"),
        ("source", "Source / figure"),
        ("latest", "Latest value"),
        ("target", "Target"),
        ("status", "Status"),
        ("owner", "Owner"),
    ]
    sortable = {"name": "name", "source": "source", "target": "target", "owner": "owner__username"}
    default_sort = "name"
    export_columns = [
        ("name", "name"),
        ("description", "description"),
        ("unit", "unit"),
        ("direction", "direction"),
        ("target", "target"),
        ("warning_threshold", "warning_threshold"),
        ("frequency", "frequency"),
        ("owner.username", "owner"),
        ("source", "source"),
        ("figure", "figure"),
        ("segment", "segment"),
        ("product", "product"),
        ("active", "active"),
    ]
    export_basename = "kpis"
    row_template = "kpis/_kpi_row.html"
    extra_context = {"title": "KPIs"}

    def base_queryset(self):
        return selectors.kpi_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kpis = list(context["object_list"])
        # One query for the page's latest values, whatever the number of KPIs.
        latest = selectors.latest_values([kpi.pk for kpi in kpis])
        for kpi in kpis:
            value = latest.get(kpi.pk)
            kpi.latest = value
            kpi.latest_period = period_label(value.period_start, kpi.frequency) if value else ""
            kpi.status = selectors.kpi_status(kpi, value.value if value else None)
        context["object_list"] = kpis
        context["create_url"] = reverse("kpis:kpi_create")
        context["empty_hint"] = (
            "Define the first KPI with the “New KPI” button."
            if context["can_add"]
            else "A quality manager defines the KPIs."
        )
        return context


# Definition ----------------------------------------------------------------------------------------


class KpiCreateView(RegisterFormView):
    model = Kpi
    permission_action = "add"
    form_class = KpiForm

    def get_title(self) -> str:
        return "New KPI"

    def get_initial(self) -> dict:
        # Whoever defines it owns it unless they name someone else.
        return {**super().get_initial(), "owner": self.request.user.pk}

    def get_cancel_url(self) -> str:
        return reverse("kpis:kpi_list")

    def save(self, form):
        return services.kpi_create(actor=self.request.user, **kpi_fields_saved(form))


class KpiUpdateView(RegisterUpdateView):
    model = Kpi
    form_class = KpiForm

    def save(self, form):
        return services.kpi_update(actor=self.request.user, kpi=self.object, **kpi_fields_saved(form))


class KpiDeleteView(RegisterDeleteView):
    model = Kpi

    def consequences(self, kpi):
        if kpi.values.exists():
            return ["It has recorded values, so it cannot be deleted: make it inactive instead."]
        return []

    def post(self, request, *args, **kwargs):
        kpi = self.get_object()
        try:
            services.kpi_delete(actor=request.user, kpi=kpi)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(kpi.get_absolute_url())
        messages.success(request, f"KPI {kpi.name} was deleted.")
        return redirect("kpis:kpi_list")


# One KPI -------------------------------------------------------------------------------------------


def parse_range(request, today: dt.date) -> tuple[dt.date, dt.date, list[str]]:
    """``start`` and ``end`` (YYYY-MM-DD) from the query string; the last 12 months where missing or bad."""
    default_start, default_end = last_months(today, 12)
    values, problems = {"start": default_start, "end": default_end}, []
    for name, label in (("start", "From"), ("end", "To")):
        raw = request.GET.get(name, "").strip()
        if not raw:
            continue
        try:
            values[name] = dt.date.fromisoformat(raw)
        except ValueError:
            problems.append(f"{label} (“{raw}”) is not a date written YYYY-MM-DD; the default range is shown.")
    if values["end"] < values["start"]:
        problems.append("From is after To; the default range is shown.")
        values = {"start": default_start, "end": default_end}
    elif (values["end"] - values["start"]).days > MAX_RANGE_DAYS:
        problems.append("Show at most ten years at a time; the default range is shown.")
        values = {"start": default_start, "end": default_end}
    return values["start"], values["end"], problems


def _number(value) -> float | None:
    return float(value) if value is not None else None


class KpiDetailView(RegisterDetailView):
    model = Kpi
    template_name = "kpis/kpi_detail.html"
    fields = [
        ("description", "Description"),
        ("source", "Source"),
        ("unit", "Unit"),
        ("direction", "Direction"),
        ("target", "Target"),
        ("warning_threshold", "Warning threshold"),
        ("frequency", "Frequency"),
        ("owner.display_name", "Owner"),
        ("active", "Active"),
    ]

    def get_queryset(self):
        return selectors.kpi_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        from qms.actions.models import Action
        from qms.actions.selectors import actions_for_source

        context = super().get_context_data(**kwargs)
        kpi, today = self.object, timezone.localdate()
        start, end, problems = parse_range(self.request, today)
        for problem in problems:
            messages.warning(self.request, problem)
        rows = selectors.series(kpi, start=start, end=end)
        figure = kpi.registered_figure
        action_ids = {row["record"].action_id for row in rows if row["record"] and row["record"].action_id}
        actions = {action.pk: action for action in Action.objects.filter(pk__in=action_ids)}
        for row in rows:
            record = row["record"]
            row["status_class"] = RAG_CLASSES[row["status"]]
            row["action"] = actions.get(record.action_id) if record and record.action_id else None
            row["final"] = record.final if record else is_closed(row["period_start"], today, kpi.frequency)
            row["drilldown"] = None
            if figure is not None and row["value"] is not None and row["period_start"] <= today:
                row["drilldown"] = figure.drilldown_url(
                    row["period_start"],
                    min(period_end(row["period_start"], kpi.frequency), today),
                    segment=kpi.segment,
                    product=kpi.product,
                )
        latest = selectors.latest_values([kpi.pk]).get(kpi.pk)
        current = latest.value if latest else None
        context.update(
            rows=rows,
            start=start,
            end=end,
            figure=figure,
            latest=latest,
            latest_period=period_label(latest.period_start, kpi.frequency) if latest else "",
            current_status=selectors.kpi_status(kpi, current),
            rag_classes=RAG_CLASSES,
            may_enter=not kpi.is_computed and services.may_enter_values(self.request.user, kpi),
            can_delete_values=not kpi.is_computed and can(self.request.user, "delete", KpiValue),
            actions=list(actions_for_source(kpi)),
            objectives=list(kpi.objectives.order_by("target_date", "reference")),
            chart={
                "name": kpi.name,
                "unit": kpi.unit,
                "labels": [row["label"] for row in rows],
                "values": [_number(row["value"]) for row in rows],
                "target": _number(kpi.target),
                "warning": _number(kpi.warning_threshold),
            },
        )
        return context


# Values --------------------------------------------------------------------------------------------


class ValueEnterView(RegisterViewMixin, View):
    """Enter or correct one period's value of an entered KPI (its owner or a quality manager)."""

    model = Kpi
    template_name = "kpis/value_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.kpi = get_object_or_404(selectors.kpi_list(user=request.user), pk=kwargs["pk"])
        # Refused before any input is read.
        if not services.may_enter_values(request.user, self.kpi):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        stored = {
            value.period_start.isoformat(): value
            for value in KpiValue.objects.filter(kpi=self.kpi)
            .select_related("recorded_by")
            .order_by("-period_start")[:30]
        }
        selected = form["period_start"].value() or ""
        context = {
            "kpi": self.kpi,
            "form": form,
            "title": f"Enter a value of {self.kpi.name}",
            "current": stored.get(str(selected)),
            "stored": stored,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        initial = {}
        raw = request.GET.get("period", "")
        try:
            initial["period_start"] = period_start(dt.date.fromisoformat(raw), self.kpi.frequency).isoformat()
        except ValueError:
            initial["period_start"] = period_start(timezone.localdate(), self.kpi.frequency).isoformat()
        return self.render_form(ValueForm(kpi=self.kpi, initial=initial))

    def post(self, request, *args, **kwargs):
        form = ValueForm(request.POST, kpi=self.kpi)
        if form.is_valid():
            try:
                value = services.value_record(
                    actor=request.user,
                    kpi=self.kpi,
                    period_start=form.cleaned_data["period_start"],
                    value=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                    origin=ValueOrigin.FORM,
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{self.kpi.name} for {value.period_label}: {value.value} was recorded.")
                return redirect(self.kpi.get_absolute_url())
        return self.render_form(form, status=400)


class ValueDeleteView(RegisterDeleteView):
    model = KpiValue

    def get_queryset(self):
        return super().get_queryset().select_related("kpi")

    def get(self, request, *args, **kwargs):
        value = self.get_object()
        context = {
            "object": value,
            "opts": self.model._meta,
            "consequences": ["The period will show “no data” until a value is entered again."],
            "cancel_url": value.kpi.get_absolute_url(),
        }
        return render(request, "core/confirm_delete.html", context)

    def post(self, request, *args, **kwargs):
        value = self.get_object()
        kpi, label = value.kpi, str(value)
        try:
            services.value_delete(actor=request.user, value=value)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"KPI value {label} was deleted.")
        return redirect(kpi.get_absolute_url())


# Order volumes -------------------------------------------------------------------------------------


class OrderVolumeListView(RegisterViewMixin, View):
    """Orders per month, newest first, and (quality managers) the form to record a month's orders."""

    model = OrderVolume
    template_name = "kpis/order_list.html"
    paginate_by = 24

    def render_page(self, form, status=200):
        volumes = OrderVolume.objects.restrict(self.request.user, "view").select_related("entered_by")
        page = Paginator(volumes.order_by("-month"), self.paginate_by).get_page(self.request.GET.get("page"))
        context = {
            "title": "Orders per month",
            "page_obj": page,
            "object_list": page.object_list,
            "form": form,
            "can_add": can(self.request.user, "add", OrderVolume),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(OrderVolumeForm(initial={"month": timezone.localdate().replace(day=1)}))

    def post(self, request, *args, **kwargs):
        if not can(request.user, "add", OrderVolume):
            raise PermissionDenied
        form = OrderVolumeForm(request.POST)
        if form.is_valid():
            try:
                volume = services.order_volume_set(
                    actor=request.user, month=form.cleaned_data["month"], orders=form.cleaned_data["orders"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Orders for {volume.month:%b %Y} recorded: {volume.orders}.")
                return redirect("kpis:order_list")
        return self.render_page(form, status=400)
