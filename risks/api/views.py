"""The risk and opportunity log's API: the same services and permission engine as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action as viewset_action
from rest_framework.response import Response

from qms.accounts.permissions import can
from qms.core.api import RegisterViewSet
from qms.core.serializers import with_related_ids

from .. import services
from ..filters import RiskEntryFilterSet
from ..models import RiskEntry, RiskMatrix
from .serializers import (
    RiskAssessmentInputSerializer,
    RiskEntrySerializer,
    RiskMatrixSerializer,
    RiskStepInputSerializer,
)


class RiskEntryViewSet(RegisterViewSet):
    """Risks and opportunities: list (``q``, ``kind``, ``status``, ``band``, ``category``, ``owner``,
    ``overdue_review``, ``ordering``), read, log (POST; staff propose, the entry starts identified), change
    (PATCH; the owner or a quality manager), POST ``{id}/assess/`` to score it and ``{id}/step/`` to move it
    along the workflow. Entries are evidence: closed, never deleted."""

    queryset = RiskEntry.objects.all()
    serializer_class = RiskEntrySerializer
    filterset_class = RiskEntryFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The services decide: staff propose, owners edit and take working steps, top management approves.
    permission_actions = {"create": "view", "partial_update": "view", "assess": "view", "step": "view"}
    ordering_fields = ["reference", "title", "status", "inherent_score", "residual_score", "next_review_date"]
    ordering = ["-inherent_score", "reference"]
    list_related_columns = {
        **dict.fromkeys(("owner", "accepted_by", "approved_by", "proposed_by"), ("username",)),
        "category": ("name",),
    }

    def get_queryset(self):
        if self.action in self.permission_actions:
            return self.restricted_queryset("view")
        return super().get_queryset()

    def restricted_queryset(self, action):
        entries = (
            RiskEntry.objects.restrict(self.request.user, action)
            .select_related("owner", "category", "accepted_by", "approved_by", "proposed_by")
            .order_by("-inherent_score", "reference")
        )
        return with_related_ids(entries, "requirements", "customers", "feedback_items")

    def _fresh(self, entry: RiskEntry) -> RiskEntry:
        return self.restricted_queryset("view").get(pk=entry.pk)

    def create(self, request, *args, **kwargs):
        # Refuse before reading the body: a reader gets 403, not a list of missing fields.
        if not (can(request.user, "add", RiskEntry) or can(request.user, "propose", RiskEntry)):
            raise exceptions.PermissionDenied("You may not log risks or opportunities.")
        return super().create(request, *args, **kwargs)

    def partial_update(self, request, *args, **kwargs):
        if not services.may_work_on(request.user, self.get_object()):
            raise exceptions.PermissionDenied("Only the owner or a quality manager may edit this entry.")
        return super().partial_update(request, *args, **kwargs)

    def create_record(self, data):
        return self._fresh(services.entry_create(actor=self.request.user, data=data))

    def update_record(self, instance, data):
        return self._fresh(services.entry_update(actor=self.request.user, entry=instance, data=data))

    @extend_schema(request=RiskAssessmentInputSerializer, responses={201: RiskEntrySerializer})
    @viewset_action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """Score the entry (inherent, target or residual) on the matrix in use; 400 naming ``likelihood``
        or ``impact`` when a level is out of the matrix's range."""
        entry = self.get_object()
        if not services.may_work_on(request.user, entry):
            raise exceptions.PermissionDenied("Only the owner or a quality manager may score this entry.")
        payload = RiskAssessmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.entry_assess(actor=request.user, entry=entry, **payload.validated_data)
        return Response(self.get_serializer(self._fresh(entry)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RiskStepInputSerializer, responses=RiskEntrySerializer)
    @viewset_action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """Start_treatment, accept, approve, review_effectiveness, close or reopen; refused with 400 naming
        ``step`` (or the missing field), 403 when the step is not yours to take."""
        entry = self.get_object()
        if not (services.may_work_on(request.user, entry) or can(request.user, "approve", RiskEntry)):
            raise exceptions.PermissionDenied("Only the owner, a quality manager or top management may take steps.")
        payload = RiskStepInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = {key: value for key, value in payload.validated_data.items() if value is not None}
        name = data.pop("step")
        if name == "assess":
            raise exceptions.ValidationError({"step": "Score the entry with POST assess/."})
        services.entry_step(actor=request.user, entry=entry, name=name, **data)
        return Response(self.get_serializer(self._fresh(entry)).data)


class RiskMatrixViewSet(RegisterViewSet):
    """The risk matrix, every version (``active`` is the one in use). POST makes the next version from
    the full matrix given and puts it in use (quality managers); versions are never changed in place, so
    older assessments keep the matrix they were scored on."""

    queryset = RiskMatrix.objects.all()
    serializer_class = RiskMatrixSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["active"]
    ordering_fields = ["version"]
    ordering = ["-version"]

    def restricted_queryset(self, action):
        if action == "view":
            services.active_matrix()  # a fresh install shows version 1, not an empty list
        return RiskMatrix.objects.restrict(self.request.user, action).select_related("created_by").order_by("-version")

    def create_record(self, data):
        return services.matrix_save(actor=self.request.user, data=data)
