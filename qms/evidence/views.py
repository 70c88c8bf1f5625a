"""Pages of the evidence export: start a pack, follow its progress, download it."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from qms.accounts.permissions import can
from qms.core.views import attach_errors

from . import selectors, services
from .forms import ExportForm
from .models import EvidenceExport
from .registry import CLAUSES


class EvidenceExportMixin(LoginRequiredMixin):
    """Every evidence page needs the export permission (quality managers and auditors; staff are refused)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, "export", EvidenceExport):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_export(self, pk: int) -> EvidenceExport:
        return get_object_or_404(selectors.export_visible(user=self.request.user), pk=pk)


class ExportListView(EvidenceExportMixin, ListView):
    """Your past exports, newest first, and the form to start one."""

    template_name = "evidence/export_list.html"
    paginate_by = 20

    def get_queryset(self):
        return selectors.export_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ExportForm())
        return context

    def post(self, request, *args, **kwargs):
        form = ExportForm(request.POST)
        if form.is_valid():
            try:
                export = services.export_create(
                    actor=request.user,
                    start=form.cleaned_data["period_start"],
                    end=form.cleaned_data["period_end"],
                    clauses=form.cleaned_data["clauses"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                return redirect(export)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ExportDetailView(EvidenceExportMixin, View):
    def get(self, request, pk: int):
        export = self.get_export(pk)
        clauses = [(clause, CLAUSES.get(clause, "")) for clause in export.clauses]
        return render(request, "evidence/export_detail.html", {"export": export, "clauses": clauses})


class ExportProgressView(EvidenceExportMixin, View):
    """The htmx-polled status fragment; it stops polling once the export is done or failed."""

    def get(self, request, pk: int):
        return render(request, "evidence/_progress.html", {"export": self.get_export(pk)})


class ExportDownloadView(EvidenceExportMixin, View):
    def get(self, request, pk: int):
        export = self.get_export(pk)
        path = services.export_file_path(export)
        if path is None:
            raise Http404("This evidence pack is not ready, or it failed.")
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=export.download_name,
            content_type="application/zip",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
