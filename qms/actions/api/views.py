"""The actions API: the same services, selectors and permission engine as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action as viewset_action
from rest_framework.response import Response

from qms.core.api import RegisterViewSet

from .. import selectors, services
from ..filters import ActionFilterSet
from ..models import Action
from .serializers import ActionSerializer, ActionTransitionSerializer


class ActionViewSet(RegisterViewSet):
    """Actions: list (``q``, ``kind``, ``status``, ``owner``, ``overdue``, ``source``, ``ordering``), read,
    create (``source_ref`` optional), update, and POST ``{id}/transition/`` to change the status. Actions
    are evidence: cancel them instead of deleting."""

    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    # The service decides who may take which transition (the owner works their own).
    permission_actions = {"transition": "view"}
    ordering_fields = ["due_date", "status", "kind", "title", "created_at", "updated_at"]
    ordering = ["due_date"]
    list_related_columns = {"owner": ("username",)}

    def get_queryset(self):
        if self.action == "transition":
            return self.restricted_queryset("view")
        return super().get_queryset()

    def restricted_queryset(self, action):
        return selectors.action_list(user=self.request.user, action=action).order_by("due_date", "pk")

    def create_record(self, data):
        data = dict(data)
        ref = data.pop("source_ref", "")
        source = selectors.source_for_ref(ref, user=self.request.user) if ref else None
        return services.action_create(actor=self.request.user, source=source, **data)

    def update_record(self, instance, data):
        data = {name: value for name, value in data.items() if name != "source_ref"}
        return services.action_update(actor=self.request.user, action=instance, **data)

    @extend_schema(request=ActionTransitionSerializer, responses=ActionSerializer)
    @viewset_action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Start, complete, verify_effective, verify_not_effective, reopen or cancel (with ``note``)."""
        action = self.get_object()
        if not services.may_work_on(request.user, action):
            raise exceptions.PermissionDenied("Only the owner, or a quality manager, may take steps on this action.")
        payload = ActionTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.action_transition(actor=request.user, action=action, **payload.validated_data)
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        return Response(ActionSerializer(action, context=self.get_serializer_context()).data)
