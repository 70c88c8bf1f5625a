"""The management reviews' API: the same services and permission engine as the pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action as viewset_action
from rest_framework.response import Response

from qms.accounts.permissions import EnginePermission
from qms.core.api import RegisterViewSet

from .. import selectors, services
from ..filters import ReviewFilterSet, SummaryFilterSet
from ..models import Review, ReviewOutput, Summary
from .serializers import ReviewApproveInputSerializer, ReviewSerializer, SummaryListSerializer, SummarySerializer


class ReviewViewSet(RegisterViewSet):
    """Management reviews (9.3): list (``q``, ``status``, ``year``, ``ordering``), read, plan (POST) and
    change (PUT/PATCH; quality managers, not once approved). POST ``{id}/prepare/`` compiles the frozen
    9.3.2 inputs; POST ``{id}/approve/`` with the chair's ``password`` signs the held review."""

    queryset = Review.objects.all()
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    # The approve service decides who signs (only the chair); the rest follow the HTTP method.
    permission_actions = {"approve": "view", "prepare": "change"}
    ordering_fields = ["reference", "review_date", "status"]
    ordering = ["-review_date", "-pk"]

    def get_queryset(self):
        if self.action == "approve":
            return self.restricted_queryset("view")
        return super().get_queryset()

    def restricted_queryset(self, action):
        return (
            Review.objects.restrict(self.request.user, action)
            .select_related("chair", "signature__signer")
            .prefetch_related(
                "attendees",
                Prefetch("outputs", queryset=ReviewOutput.objects.select_related("action").order_by("kind", "pk")),
            )
            .order_by("-review_date", "-pk")
        )

    def _fresh(self, review: Review) -> Review:
        return self.restricted_queryset("view").get(pk=review.pk)

    def create_record(self, data):
        return self._fresh(services.review_create(actor=self.request.user, data=data))

    def update_record(self, instance, data):
        return self._fresh(services.review_update(actor=self.request.user, review=instance, data=data))

    @extend_schema(request=None, responses=ReviewSerializer)
    @viewset_action(detail=True, methods=["post"])
    def prepare(self, request, pk=None):
        """Compile the 9.3.2 inputs for the review's period into its frozen snapshot (status inputs_ready);
        400 naming ``status`` once the review has been held."""
        review = self.get_object()
        services.review_prepare(actor=request.user, review=review)
        return Response(self.get_serializer(self._fresh(review)).data)

    @extend_schema(request=ReviewApproveInputSerializer, responses={201: ReviewSerializer})
    @viewset_action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The chair signs the held review with their password: 403 for anyone else, 400 naming
        ``password`` when it is wrong (nothing signed) or ``status`` when the review is not held."""
        review = self.get_object()
        if not services.may_approve(request.user, review):
            raise exceptions.PermissionDenied("Only the chair of the review may approve it.")
        payload = ReviewApproveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.review_approve(actor=request.user, review=review, password=payload.validated_data["password"])
        return Response(self.get_serializer(self._fresh(review)).data, status=status.HTTP_201_CREATED)


class SummaryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The scheduled summaries as they were sent (read only; the jobs make them): list (``q``, ``kind``,
    ``year``), read one with its frozen content, and GET ``{id}/pdf/`` for the PDF that was attached."""

    queryset = Summary.objects.all()
    serializer_class = SummarySerializer
    filterset_class = SummaryFilterSet
    permission_classes = [EnginePermission]
    permission_actions = {"list": "view", "retrieve": "view", "pdf": "view"}
    http_method_names = ["get", "head", "options"]
    ordering_fields = ["period_start", "compiled_at"]
    ordering = ["-period_start", "kind"]

    def get_serializer_class(self):
        return SummaryListSerializer if self.action == "list" else SummarySerializer

    def get_queryset(self):
        if self.action == "pdf":
            return selectors.summary_pdf_queryset(user=self.request.user)
        if self.action == "list":
            return selectors.summary_list(user=self.request.user).order_by("-period_start", "kind")
        return selectors.summary_detail_queryset(user=self.request.user)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @viewset_action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        summary = self.get_object()
        response = HttpResponse(bytes(summary.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{summary.pdf_filename}"'
        return response
