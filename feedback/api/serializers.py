"""API shapes for the feedback register; meaning (who may change what, the workflow) is checked by the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Contact, Customer
from requirements.models import Requirement

from ..choices import Acceptance, FeedbackStatus, Severity
from ..models import Category, FeedbackItem, FeedbackTransition
from ..services import allowed_transitions
from ..workflow import TRANSITION_NAMES

STATUS_NAMES = ", ".join(FeedbackStatus.values)
TRANSITION_LIST = ", ".join(TRANSITION_NAMES)


class FeedbackCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "description", "active"]
        read_only_fields = fields


class FeedbackTransitionRecordSerializer(serializers.ModelSerializer):
    """One step of the item's history. ``from`` and ``to`` are statuses (the same for pause and resume)."""

    # Plain strings: a second ChoiceField over the statuses would be a second enum in the schema.
    from_status = serializers.CharField(read_only=True, help_text=f"Status before: {STATUS_NAMES}.")
    to_status = serializers.CharField(read_only=True, help_text=f"Status after: {STATUS_NAMES}.")

    class Meta:
        model = FeedbackTransition
        fields = ["name", "from_status", "to_status", "actor_name", "at", "comment"]
        read_only_fields = fields

    def get_fields(self):
        # "from" is a Python keyword, so the fields are declared under other names and renamed here.
        fields = super().get_fields()
        fields["from"] = fields.pop("from_status")
        fields["to"] = fields.pop("to_status")
        fields["from"].source = "from_status"
        fields["to"].source = "to_status"
        return {name: fields[name] for name in ("name", "from", "to", "actor_name", "at", "comment")}


class FeedbackItemSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:feedbackitem-detail")
    received_at = serializers.DateTimeField(required=False, help_text="When it reached us; default now.")
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    customer_code = serializers.CharField(source="customer.code", read_only=True, default=None, allow_null=True)
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    category_name = serializers.CharField(source="category.name", read_only=True, default=None, allow_null=True)
    requirements = serializers.PrimaryKeyRelatedField(
        queryset=Requirement.objects.all(), many=True, required=False, help_text="Linked requirements (ids)."
    )
    logged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Username of who works on it (quality managers only).",
    )
    # A plain string: a ChoiceField would repeat the requirements' criticality enum (the same four values).
    severity = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text=f"{', '.join(Severity.values)}; blank until assessed.",
    )
    paused = serializers.BooleanField(source="is_paused", read_only=True, help_text="Waiting on the customer.")
    allowed_transitions = serializers.SerializerMethodField(
        help_text=f"The transitions you may take now (POST one to transition/): some of {TRANSITION_LIST}."
    )
    transitions = FeedbackTransitionRecordSerializer(many=True, read_only=True, help_text="The history, oldest first.")

    class Meta:
        model = FeedbackItem
        fields = [
            "id",
            "url",
            "reference",
            "kind",
            "status",
            "channel",
            "received_at",
            "customer",
            "customer_code",
            "contact",
            "submitter_name",
            "submitter_email",
            "submitter_phone",
            "product",
            "category",
            "category_name",
            "summary",
            "description",
            "requirements",
            "logged_by",
            "assignee",
            "severity",
            "impact",
            "root_cause_category",
            "root_cause_analysis",
            "containment",
            "response",
            "response_published_at",
            "outcome_communicated",
            "acceptance",
            "decision_reason",
            "close_override_reason",
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "acknowledge_due_at",
            "acknowledge_warn_at",
            "resolve_due_at",
            "resolve_warn_at",
            "paused",
            "paused_since",
            "acknowledge_working_hours",
            "resolve_working_hours",
            "resolved_within_target",
            "reopen_count",
            "allowed_transitions",
            "transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "reference",
            "status",
            "response_published_at",
            "decision_reason",
            "close_override_reason",
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "acknowledge_due_at",
            "acknowledge_warn_at",
            "resolve_due_at",
            "resolve_warn_at",
            "paused_since",
            "acknowledge_working_hours",
            "resolve_working_hours",
            "resolved_within_target",
            "reopen_count",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only what the caller may see can be linked.
            self.fields["requirements"].child_relation.queryset = Requirement.objects.restrict(request.user, "view")

    def validate_severity(self, value: str) -> str:
        if value and value not in Severity.values:
            raise serializers.ValidationError(f"Choose one of {', '.join(Severity.values)}.")
        return value

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_transitions(self, item: FeedbackItem) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [transition.name for transition in allowed_transitions(item, request.user)]


class FeedbackTransitionInputSerializer(serializers.Serializer):
    """Take one workflow step; what each step needs is checked by the service (errors name the field)."""

    # A plain string (the actions API has a "transition" enum of its own); the service refuses unknown names.
    transition = serializers.CharField(help_text=f"One of the item's allowed_transitions: {TRANSITION_LIST}.")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; required to revise, pause, withdraw, reject, reopen.",
    )
    response = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="The response to the complainant (to propose it)."
    )
    outcome_communicated = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="What the complainant was told (to close)."
    )
    acceptance = serializers.ChoiceField(
        choices=Acceptance.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Whether the complainant accepted the outcome (to close).",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Quality managers: why close while corrective actions are open.",
    )
