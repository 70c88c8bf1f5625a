"""The requirements register's API: the same services and permission engine as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import exceptions

from qms.accounts.permissions import EnginePermission, can
from qms.core.api import RegisterViewSet

from .. import selectors, services
from ..filters import (
    AcknowledgementFilterSet,
    EvaluationFilterSet,
    InterestedPartyFilterSet,
    RequirementFilterSet,
)
from ..models import Acknowledgement, Evaluation, InterestedParty, Requirement
from .serializers import (
    AcknowledgementSerializer,
    EvaluationSerializer,
    InterestedPartySerializer,
    RequirementSerializer,
)

READ_AND_CREATE = ["get", "post", "head", "options"]


class InterestedPartyViewSet(RegisterViewSet):
    """Interested parties (4.2): list (search ``q``, ``kind``, ``ordering``), read, create, update, delete."""

    queryset = InterestedParty.objects.all()
    serializer_class = InterestedPartySerializer
    filterset_class = InterestedPartyFilterSet
    ordering_fields = ["name", "kind", "relevance", "review_date", "created_at"]
    ordering = ["name"]

    def restricted_queryset(self, action):
        parties = InterestedParty.objects.restrict(self.request.user, action)
        return parties.select_related("customer").order_by("name", "pk")

    def create_record(self, data):
        return services.party_save(actor=self.request.user, party=None, data=data)

    def update_record(self, instance, data):
        return services.party_save(actor=self.request.user, party=instance, data=data)

    def delete_record(self, instance):
        services.party_delete(actor=self.request.user, party=instance)


class RequirementViewSet(RegisterViewSet):
    """Requirements: list (``q``, ``kind``, ``status``, ``owner``, ``customer``, ``overdue``, ``ordering``),
    read, create (reference optional), update (a new wording of an active one is a new version), delete
    (drafts only)."""

    queryset = Requirement.objects.all()
    serializer_class = RequirementSerializer
    filterset_class = RequirementFilterSet
    ordering_fields = [
        "reference",
        "title",
        "kind",
        "status",
        "criticality",
        "next_review_date",
        "version",
        "created_at",
        "updated_at",
    ]
    ordering = ["reference"]
    list_related_columns = {"owner": ("username",), "customer": ("code",), "party": ("name",)}

    def restricted_queryset(self, action):
        return selectors.requirement_list(user=self.request.user, action=action).order_by("reference", "pk")

    def _annotated(self, requirement: Requirement) -> Requirement:
        # The response shows the last result and whether it is overdue, which come from annotations.
        return selectors.with_last_evaluation(Requirement.objects.select_related("owner", "customer")).get(
            pk=requirement.pk
        )

    def create_record(self, data):
        return self._annotated(services.requirement_create(actor=self.request.user, data=data))

    def update_record(self, instance, data):
        return self._annotated(services.requirement_update(actor=self.request.user, requirement=instance, data=data))

    def delete_record(self, instance):
        services.requirement_delete(actor=self.request.user, requirement=instance)


class AcknowledgementPermission(EnginePermission):
    """Reading follows the engine; acknowledging needs the ``acknowledge`` right on requirements."""

    def has_permission(self, request, view) -> bool:
        if request.method == "POST":
            return can(request.user, "acknowledge", Requirement)
        return super().has_permission(request, view)


class AcknowledgementViewSet(RegisterViewSet):
    """Who acknowledged which version: list, read, and POST ``{"requirement": id}`` to acknowledge the
    current version as yourself. Acknowledgements are never changed or deleted."""

    queryset = Acknowledgement.objects.all()
    serializer_class = AcknowledgementSerializer
    filterset_class = AcknowledgementFilterSet
    permission_classes = [AcknowledgementPermission]
    http_method_names = READ_AND_CREATE
    ordering_fields = ["acknowledged_at", "version"]
    ordering = ["-acknowledged_at"]

    def restricted_queryset(self, action):
        return (
            Acknowledgement.objects.restrict(self.request.user, action)
            .select_related("requirement", "user")
            .order_by("-acknowledged_at", "-pk")
        )

    def create_record(self, data):
        try:
            return services.requirement_acknowledge(actor=self.request.user, requirement=data["requirement"])
        except ValidationError as exc:
            # "Not assigned to you", "only active ones": both are about the requirement chosen.
            raise exceptions.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"requirement": exc.messages}
            ) from exc


class EvaluationViewSet(RegisterViewSet):
    """Compliance evaluations: list, read, and POST to record one; a "not met" result needs a nested
    ``corrective_action``. Evaluations are evidence: never changed or deleted."""

    queryset = Evaluation.objects.all()
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilterSet
    http_method_names = READ_AND_CREATE
    ordering_fields = ["evaluated_on", "result", "next_due_date", "created_at"]
    ordering = ["-evaluated_on"]

    def restricted_queryset(self, action):
        return (
            Evaluation.objects.restrict(self.request.user, action)
            .select_related("requirement", "evaluator")
            .prefetch_related("actions__owner")
            .order_by("-evaluated_on", "-pk")
        )

    def create_record(self, data):
        data = dict(data)
        requirement = data.pop("requirement")
        action = data.pop("corrective_action", None)
        try:
            return services.evaluation_record(
                actor=self.request.user, requirement=requirement, data=data, action=action
            )
        except ValidationError as exc:
            raise _nest_action_errors(exc) from exc


def _nest_action_errors(exc: ValidationError) -> exceptions.ValidationError:
    """The service names the action's fields ``action_<field>``; the API calls them ``corrective_action``."""
    if not hasattr(exc, "error_dict"):
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    errors: dict = {}
    for field, messages in exc.message_dict.items():
        if field.startswith("action_"):
            errors.setdefault("corrective_action", {})[field.removeprefix("action_")] = messages
        else:
            errors[field] = messages
    return exceptions.ValidationError(errors)
