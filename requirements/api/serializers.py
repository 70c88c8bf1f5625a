"""API shapes for the requirements register; meaning is checked by the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Customer
from qms.core.serializers import RecordLinkField, RegisterSerializer

from ..choices import EvaluationResult
from ..models import Acknowledgement, Evaluation, InterestedParty, Requirement


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class InterestedPartySerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    customer_code = serializers.CharField(source="customer.code", read_only=True, allow_null=True)
    url = RecordLinkField(view_name="api:interestedparty-detail")

    class Meta:
        model = InterestedParty
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "customer",
            "customer_code",
            "relevance",
            "needs",
            "review_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class RequirementSerializer(RegisterSerializer):
    reference = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Unique, e.g. REQ-0042. Leave out on create to number it automatically.",
    )
    reference_prefix = serializers.CharField(
        max_length=10,
        required=False,
        write_only=True,
        help_text="Prefix for an automatic reference (default REQ).",
    )
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=_active_users(), help_text="Username of the requirement's owner."
    )
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    customer_code = serializers.CharField(source="customer.code", read_only=True, allow_null=True)
    party = serializers.PrimaryKeyRelatedField(queryset=InterestedParty.objects.all(), required=False, allow_null=True)
    # A plain string: a second ChoiceField over the same choices would be a second enum in the schema.
    last_result = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Result of the newest evaluation (" + ", ".join(EvaluationResult.values) + "); null if never.",
    )
    overdue = serializers.SerializerMethodField(help_text="Review date or evaluation due date has passed.")
    url = RecordLinkField(view_name="api:requirement-detail")

    class Meta:
        model = Requirement
        fields = [
            "id",
            "url",
            "reference",
            "reference_prefix",
            "title",
            "text",
            "kind",
            "customer",
            "customer_code",
            "party",
            "legal_reference",
            "jurisdiction",
            "authority",
            "applicability",
            "owner",
            "criticality",
            "review_frequency_months",
            "next_review_date",
            "status",
            "version",
            "last_result",
            "overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, requirement: Requirement) -> bool:
        today = timezone.localdate()
        evaluation_due = getattr(requirement, "evaluation_due", None)
        return requirement.next_review_date < today or bool(evaluation_due and evaluation_due < today)


class VisibleRequirementMixin:
    """The ``requirement`` field accepts only requirements the requesting user may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "requirement" in self.fields:
            self.fields["requirement"].queryset = Requirement.objects.restrict(request.user, "view")


class AcknowledgementSerializer(VisibleRequirementMixin, serializers.ModelSerializer):
    requirement = serializers.PrimaryKeyRelatedField(
        queryset=Requirement.objects.all(), help_text="The requirement to acknowledge (its current version)."
    )
    requirement_reference = serializers.CharField(source="requirement.reference", read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Acknowledgement
        fields = ["id", "requirement", "requirement_reference", "user", "version", "acknowledged_at"]
        read_only_fields = ["version", "acknowledged_at"]
        validators = []


class CorrectiveActionSerializer(serializers.Serializer):
    """The corrective action a "not met" evaluation raises (kept in qms.actions, its source the evaluation)."""

    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True, help_text="ACT-00042; GET /api/v1/actions/{id}/ has it all.")
    title = serializers.CharField(max_length=200)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=_active_users(), help_text="Username of who carries out the action."
    )
    due_date = serializers.DateField()
    status = serializers.CharField(read_only=True, help_text="The action's status, e.g. open, done.")


class EvaluationSerializer(VisibleRequirementMixin, serializers.ModelSerializer):
    requirement = serializers.PrimaryKeyRelatedField(queryset=Requirement.objects.all())
    requirement_reference = serializers.CharField(source="requirement.reference", read_only=True)
    evaluator = serializers.SlugRelatedField(slug_field="username", read_only=True)
    corrective_action = CorrectiveActionSerializer(
        write_only=True,
        required=False,
        help_text="Required when the result is not met: what will be done, by whom, by when.",
    )
    corrective_actions = CorrectiveActionSerializer(source="actions", many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "requirement",
            "requirement_reference",
            "evaluated_on",
            "evaluator",
            "result",
            "findings",
            "evidence_link",
            "next_due_date",
            "corrective_action",
            "corrective_actions",
            "created_at",
        ]
        read_only_fields = ["created_at"]
