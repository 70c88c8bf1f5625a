"""The feedback register's API: the same services and permission engine as the pages."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action as viewset_action
from rest_framework.response import Response

from qms.core.api import RegisterViewSet
from requirements.models import Requirement

from .. import services
from ..filters import FeedbackItemFilterSet
from ..models import Category, FeedbackItem
from .serializers import FeedbackCategorySerializer, FeedbackItemSerializer, FeedbackTransitionInputSerializer


class FeedbackItemViewSet(RegisterViewSet):
    """Feedback and complaints: list (``q``, ``kind``, ``status``, ``open``, ``overdue``... ``ordering``), read,
    log (POST), change (PATCH) and POST ``{id}/transition/`` to move one along the workflow. Feedback is
    evidence: it is withdrawn or rejected, never deleted. Staff see what they logged or are assigned."""

    queryset = FeedbackItem.objects.all()
    serializer_class = FeedbackItemSerializer
    filterset_class = FeedbackItemFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The services decide: the assignee may change the working fields and take the working steps.
    permission_actions = {"transition": "view", "partial_update": "view"}
    ordering_fields = [
        "reference",
        "received_at",
        "status",
        "severity",
        "acknowledge_due_at",
        "resolve_due_at",
        "updated_at",
    ]
    ordering = ["-received_at"]

    def get_queryset(self):
        if self.action in self.permission_actions:
            return self.restricted_queryset("view")
        return super().get_queryset()

    def restricted_queryset(self, action):
        return (
            FeedbackItem.objects.restrict(self.request.user, action)
            .select_related("customer", "category", "logged_by", "assignee")
            .prefetch_related(Prefetch("requirements", queryset=Requirement.objects.only("pk")), "transitions")
            .order_by("-received_at", "-pk")
        )

    def _fresh(self, item: FeedbackItem) -> FeedbackItem:
        # The response shows the history and hints, read again after the service's writes.
        return self.restricted_queryset("view").get(pk=item.pk)

    def create_record(self, data):
        return self._fresh(services.feedback_log(actor=self.request.user, data=data))

    def update_record(self, instance, data):
        return self._fresh(services.feedback_update(actor=self.request.user, item=instance, data=data))

    @extend_schema(request=FeedbackTransitionInputSerializer, responses=FeedbackItemSerializer)
    @viewset_action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Acknowledge, investigate, propose_response, revise, resolve, close, await_customer, resume,
        withdraw, reject or reopen; refused with 400 naming ``transition`` (or the missing field)."""
        item = self.get_object()
        if not services.may_work_on(request.user, item):
            raise exceptions.PermissionDenied("Only the person assigned, or a quality manager, may take steps on it.")
        payload = FeedbackTransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        name = data.pop("transition")
        services.feedback_transition(actor=request.user, item=item, name=name, **data)
        return Response(self.get_serializer(self._fresh(item)).data)


class FeedbackCategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Complaint categories (read only; quality managers keep them on the settings page)."""

    queryset = Category.objects.all()
    serializer_class = FeedbackCategorySerializer
    filterset_fields = ["active"]
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self):
        return Category.objects.restrict(self.request.user, "view").order_by("name", "pk")
