"""The scoring matrix: one version with its levels, grid and bands; quality managers make the next one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from qms.core.views import RegisterViewMixin

from .. import services
from ..forms import BAND_NAMES, MatrixForm, matrix_size
from ..models import RiskMatrix

# The service's field names, as the page's sections call them.
SECTION_LABELS = {
    "name": "Name",
    "likelihood_levels": "Likelihood levels",
    "impact_levels": "Impact levels",
    "scores": "Score grid",
    "bands": "Bands",
}


def grid_rows(matrix: RiskMatrix) -> list[dict]:
    """The grid as drawn: highest likelihood first, each cell with its score and band."""
    rows_count, columns = matrix.size
    rows = []
    for level in range(rows_count, 0, -1):
        cells = []
        for impact in range(1, columns + 1):
            score = matrix.score(level, impact)
            band = matrix.band_for(score)
            cells.append({"impact": impact, "score": score, "band": band["name"], "colour": band.get("colour", "")})
        rows.append({"level": level, "label": matrix.likelihood_levels[level - 1]["label"], "cells": cells})
    return rows


def _level_fields(form, axis: str, count: int) -> list[tuple]:
    return [(n, form[f"{axis}_{n}"], form[f"{axis}_{n}_description"]) for n in range(1, count + 1)]


class MatrixDetailView(RegisterViewMixin, TemplateView):
    model = RiskMatrix
    template_name = "risks/matrix_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "pk" in self.kwargs:
            matrix = get_object_or_404(RiskMatrix.objects.restrict(self.request.user, "view"), pk=self.kwargs["pk"])
        else:
            matrix = services.active_matrix()
        context.update(
            title=f"Risk matrix, version {matrix.version}",
            matrix=matrix,
            rows=grid_rows(matrix),
            bands=sorted(matrix.bands, key=lambda band: band["min"]),
            versions=list(RiskMatrix.objects.restrict(self.request.user, "view").select_related("created_by")),
            band_colours={band["name"]: band.get("colour", "") for band in matrix.bands},
        )
        return context


class MatrixEditView(RegisterViewMixin, View):
    """The form for the next version, starting from the version in use. ``?likelihood=&impact=``
    resizes it (3–6 levels each) before saving; saving makes the next version."""

    model = RiskMatrix
    permission_action = "add"

    def _render(self, form, current, section_errors=None, status=200):
        context = {
            "form": form,
            "title": "Edit the risk matrix",
            "current": current,
            "rows": form.rows,
            "columns": form.columns,
            "levels": [
                ("likelihood", "Likelihood levels (lowest first)", _level_fields(form, "likelihood", form.rows)),
                (
                    "impact",
                    "Impact levels (lowest first; benefit for opportunities)",
                    _level_fields(form, "impact", form.columns),
                ),
            ],
            "score_rows": [
                (level, [form[f"score_{level}_{impact}"] for impact in range(1, form.columns + 1)])
                for level in range(form.rows, 0, -1)
            ],
            "impact_numbers": range(1, form.columns + 1),
            "band_rows": [
                {part: form[f"{name}_{part}"] for part in ("used", "min", "max", "colour", "requires_approval", "rule")}
                | {"name": name}
                for name in BAND_NAMES
            ],
            "section_errors": section_errors or {},
            "opts": self.model._meta,
            "size_choices": range(3, 7),
        }
        return render(self.request, "risks/matrix_form.html", context, status=status)

    def get(self, request, *args, **kwargs):
        current = services.active_matrix()
        rows = matrix_size(request.GET.get("likelihood"), current.size[0])
        columns = matrix_size(request.GET.get("impact"), current.size[1])
        form = MatrixForm(initial=MatrixForm.initial_for(current, rows, columns), rows=rows, columns=columns)
        return self._render(form, current)

    def post(self, request, *args, **kwargs):
        current = services.active_matrix()
        rows = matrix_size(request.POST.get("rows"), current.size[0])
        columns = matrix_size(request.POST.get("columns"), current.size[1])
        form = MatrixForm(request.POST, rows=rows, columns=columns)
        section_errors: dict[str, list[str]] = {}
        if form.is_valid():
            try:
                matrix = services.matrix_save(actor=request.user, data=form.data_for_service())
            except ValidationError as exc:
                messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                for field, texts in messages_by_field.items():
                    if field in form.fields:
                        form.add_error(field, texts)
                    else:
                        section_errors.setdefault(field if field in SECTION_LABELS else "__all__", []).extend(texts)
            else:
                messages.success(request, f"Version {matrix.version} of the risk matrix is now in use.")
                return redirect(matrix)
        return self._render(form, current, section_errors, status=400)
