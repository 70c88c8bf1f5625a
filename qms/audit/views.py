from __future__ import annotations

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.views.generic import TemplateView

from qms.accounts.permissions import can
from qms.core import keyset
from qms.core.views import RegisterDetailView, RegisterListView

from . import selectors
from .filters import AuditEntryFilterSet
from .mixins import AuditedModel
from .models import AuditChainHead, AuditEntry, AuditVerification


class AuditEntryListView(RegisterListView):
    """The global audit log: every recorded change, filterable and exportable."""

    model = AuditEntry
    filterset_class = AuditEntryFilterSet
    template_name = "audit/entry_list.html"
    paginate_by = 50
    columns = [
        ("seq", "#"),
        ("timestamp", "When (UTC)"),
        ("actor_name", "Who"),
        ("source", "From"),
        ("action", "Action"),
        ("record_type", "Record type"),
        ("object_repr", "Record"),
    ]
    sortable = {"seq": "seq", "timestamp": "timestamp", "actor_name": "actor_name"}
    default_sort = "-seq"
    export_columns = [
        ("seq", "seq"),
        ("timestamp", "timestamp"),
        ("actor_name", "actor"),
        ("source", "source"),
        ("request_id", "request_id"),
        ("address", "address"),
        ("action", "action"),
        ("content_type", "content_type"),
        ("object_id", "object_id"),
        ("object_repr", "object"),
        ("changes", "changes"),
        ("hash", "hash"),
    ]
    export_basename = "audit-log"
    extra_context = {"title": "Audit log", "empty_hint": "No recorded change matches these filters."}

    def base_queryset(self):
        return selectors.audit_log(user=self.request.user)

    def get_paginator(self, queryset, per_page, **kwargs):
        if not self.is_filtered():
            # Entries are numbered without gaps and never deleted: the chain head's number is the count,
            # read from one row instead of counting ten million.
            head = AuditChainHead.objects.values_list("seq", flat=True).first()
            if head is not None:
                return self.counted(self.paginator_class(queryset, per_page, **kwargs), head, keyset.EXACT)
        return super().get_paginator(queryset, per_page, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["last_check"] = AuditVerification.objects.order_by("-checked_at").first()
        return context


class AuditEntryDetailView(RegisterDetailView):
    model = AuditEntry
    template_name = "audit/entry_detail.html"
    show_history = False

    def get_context_data(self, **kwargs):
        from .presentation import present

        context = super().get_context_data(**kwargs)
        present([self.object])
        return context

    fields = [
        ("seq", "Sequence"),
        ("timestamp", "When (UTC)"),
        ("actor_name", "Who"),
        ("source", "From"),
        ("request_id", "Request id"),
        ("address", "Address"),
        ("action", "Action"),
        ("record_type", "Record type"),
        ("object_id", "Record id"),
        ("object_repr", "Record"),
        ("prev_hash", "Previous hash"),
        ("hash", "Hash"),
    ]


class RecordHistoryView(LoginRequiredMixin, TemplateView):
    """One record's history, for whoever may see the record: loaded into its detail page after the page
    itself (htmx, so a long history never slows the page), or shown as a page of its own without script."""

    template_name = "audit/record_history.html"

    def get_record(self):
        user = self.request.user
        try:
            model = apps.get_model(self.kwargs["model_label"])
        except (LookupError, ValueError):
            raise Http404("No such register.") from None
        if not issubclass(model, AuditedModel) or not hasattr(model.objects, "restrict"):
            raise Http404("No such register.")
        if not can(user, "view", model):
            raise PermissionDenied
        try:
            record = model.objects.restrict(user, "view").filter(pk=self.kwargs["object_id"]).first()
        except (ValueError, TypeError, ValidationError):
            record = None
        if record is None or not can(user, "view", model, record):
            raise Http404("No such record.")  # out of the user's scope: absent, as in the lists
        return record

    def get_template_names(self):
        htmx = getattr(self.request, "htmx", None)
        return ["core/_history_entries.html"] if htmx and not htmx.boosted else [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.get_record()
        context.update(record=record, history=selectors.history_for(record), title=f"History of {record}")
        return context
