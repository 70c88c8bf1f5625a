"""The dashboards: the customer-focus scorecard for top management, the quality manager's view of it with
the work queues, the refresh button and the PDF export.

Seeing a dashboard needs ``view`` on ``DashboardSnapshot`` (it counts every record); the quality
manager's dashboard, its refresh and its PDF also need ``change`` on ``Kpi``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.generic import TemplateView

from qms.accounts.permissions import can
from qms.core import rollups
from qms.core.widgets import DATE_INPUT

from ..models import DashboardSnapshot, Kpi, Objective
from ..periods import MAX_RANGE_YEARS, add_periods, last_months, period_start
from ..queues import WORK_QUEUES, counted_work_queues
from ..scorecard import max_age, scorecard
from ..selectors import segment_choices

PRESETS = (3, 6, 12)


class PeriodForm(forms.Form):
    """The dashboard's range and filters (GET). Bad values are reported and the defaults used instead."""

    start = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    end = forms.DateField(required=False, label="To", widget=DATE_INPUT)
    segment = forms.ChoiceField(required=False, label="Customer segment")
    product = forms.CharField(required=False, max_length=200, label="Product or service")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", "All segments"), *segment_choices()]
        for name, field in self.fields.items():
            css = "form-select" if name == "segment" else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date; give an end on or after the start.")
        if end and end > timezone.localdate():
            self.add_error("end", "The end date is in the future; give today or an earlier day.")
        if start and (end or timezone.localdate()).year - start.year > MAX_RANGE_YEARS:
            self.add_error("start", f"The range is longer than {MAX_RANGE_YEARS} years; start it later.")
        return cleaned


def dashboard_params(data) -> tuple[dict[str, Any], PeriodForm, list[str]]:
    """The range and filters asked for in ``data`` (defaults where missing or wrong), the bound form and
    the error messages, each naming its field."""
    form = PeriodForm(data)
    default_start, default_end = last_months(timezone.localdate(), 12)
    params = {"start": default_start, "end": default_end, "segment": "", "product": ""}
    errors: list[str] = []
    if form.is_valid():
        params["start"] = form.cleaned_data["start"] or default_start
        params["end"] = form.cleaned_data["end"] or default_end
        if params["end"] < params["start"]:  # only the start was given, after the default end
            errors.append("From: the start date is after today; the last 12 months are shown.")
            params["start"], params["end"] = default_start, default_end
        params["segment"] = form.cleaned_data["segment"]
        params["product"] = form.cleaned_data["product"].strip()
    else:
        for name, messages_ in form.errors.items():
            label = form.fields[name].label if name in form.fields else "Period"
            errors.extend(f"{label}: {message}" for message in messages_)
        errors.append("The last 12 months are shown instead.")
        # Keep the filters that were valid.
        params["segment"] = form.cleaned_data.get("segment", "") if "segment" not in form.errors else ""
        params["product"] = (form.cleaned_data.get("product") or "").strip()
    if not errors:
        # Show the dates in use, defaults included, so the reader sees which range the figures cover.
        form = PeriodForm(
            {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in params.items()}
        )
    return params, form, errors


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class DashboardMixin(LoginRequiredMixin):
    """Permission and context shared by the dashboards and their PDF."""

    quality_view = False

    def check_permission(self, user) -> None:
        if not can(user, "view", DashboardSnapshot):
            raise PermissionDenied
        if self.quality_view and not can(user, "change", Kpi):
            raise PermissionDenied

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.check_permission(request.user)
        return super().dispatch(request, *args, **kwargs)

    def dashboard_context(self) -> dict[str, Any]:
        params, form, errors = dashboard_params(self.request.GET)
        data = scorecard(**params)
        today = timezone.localdate()
        query = {
            "start": params["start"].isoformat(),
            "end": params["end"].isoformat(),
            "segment": params["segment"],
            "product": params["product"],
        }
        query = {key: value for key, value in query.items() if value}
        presets = []
        for months in PRESETS:
            start = add_periods(period_start(today), -(months - 1))
            presets.append(
                {
                    "label": f"Last {months} months",
                    "query": urlencode({"start": start.isoformat(), "end": today.isoformat()}),
                    "current": params["start"] == start and params["end"] == today,
                }
            )
        user = self.request.user
        return {
            "data": data,
            "params": params,
            "form": form,
            "param_errors": errors,
            "query": urlencode(query),
            "presets": presets,
            "computed_at": parse_datetime(data["computed_at"]),
            "max_age_minutes": max(1, max_age() // 60),
            "quality_view": self.quality_view,
            "can_refresh": can(user, "change", Kpi),
            "can_see_quality": can(user, "change", Kpi),
            "define_kpi_url": _url_or_none("kpis:kpi_create") if can(user, "add", Kpi) else None,
            "define_objective_url": _url_or_none("kpis:objective_create") if can(user, "add", Objective) else None,
            "has_trend_data": any(
                row.get("complaints_received") or row.get("nps") is not None or row.get("csat_pct") is not None
                for row in data["trends"]["months"]
            ),
            **self._queues(),
        }

    def _queues(self) -> dict[str, Any]:
        if not self.quality_view:
            return {"queues": [], "queues_counted": None}
        queues, counted = counted_work_queues()
        return {"queues": queues, "queues_counted": counted}


class DashboardView(DashboardMixin, TemplateView):
    """Top management's customer-focus scorecard: the three 5.1.2 panels, trends, KPI tiles, objectives."""

    template_name = "kpis/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.dashboard_context())
        context["title"] = "Customer-focus scorecard"
        return context


class QualityDashboardView(DashboardView):
    """The same scorecard for the quality manager, with the work queues first."""

    quality_view = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Quality manager's dashboard"
        return context


class DashboardRefreshView(LoginRequiredMixin, View):
    """POST: rebuild the scorecard for the posted range now, then go back to the dashboard."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not (can(request.user, "view", DashboardSnapshot) and can(request.user, "change", Kpi)):
            raise PermissionDenied
        params, _, errors = dashboard_params(request.POST)
        scorecard(**params, refresh=True)
        rollups.refresh(WORK_QUEUES)
        for error in errors:
            messages.warning(request, error)
        messages.success(request, "The figures were recomputed just now.")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("kpis:quality_dashboard")
        return redirect(back)


class DashboardPdfView(DashboardMixin, View):
    """GET ``view=top|quality`` and the dashboard's parameters: the scorecard as an A4 PDF (tables and
    SVG sparklines instead of charts)."""

    def dispatch(self, request, *args, **kwargs):
        self.quality_view = request.GET.get("view") == "quality"
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        from ..pdf import render_pdf  # WeasyPrint loads its fonts and stylesheets: only when a PDF is asked for

        context = self.dashboard_context()
        context["title"] = "Quality manager's dashboard" if self.quality_view else "Customer-focus scorecard"
        context["pdf"] = True  # plain text instead of links, tables instead of charts
        html = render_to_string("kpis/dashboard_pdf.html", context, request=request)
        content = render_pdf(html, base_url=request.build_absolute_uri("/"))
        response = HttpResponse(content, content_type="application/pdf")
        day: dt.date = timezone.localdate()
        response["Content-Disposition"] = f'attachment; filename="customer-focus-scorecard-{day.isoformat()}.pdf"'
        return response
