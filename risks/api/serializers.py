"""API shapes for the risk and opportunity log; meaning (who may change what, the workflow) is checked by
the services. Choice fields are plain strings checked here: a ChoiceField named ``kind`` or ``status``
would collide with other registers' enums in the schema."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Customer
from feedback.models import FeedbackItem
from qms.core.serializers import RecordLinkField, RegisterSerializer
from requirements.models import ContextIssue, InterestedParty, Requirement

from ..choices import AssessmentKind, BandName, EntryKind, EntryStatus, Source, TreatmentOption
from ..models import RiskAssessment, RiskCategory, RiskEntry, RiskMatrix
from ..services import allowed_steps, current_band
from ..workflow import STEP_NAMES


def _one_of(values) -> str:
    return ", ".join(values)


def _check_choice(value: str, values) -> str:
    if value and value not in values:
        raise serializers.ValidationError(f"Choose one of {_one_of(values)}.")
    return value


class RiskEntrySerializer(RegisterSerializer):
    url = RecordLinkField(view_name="api:riskentry-detail")
    kind = serializers.CharField(required=False, help_text=f"{_one_of(EntryKind.values)}; fixed once logged.")
    status = serializers.CharField(read_only=True, help_text=f"{_one_of(EntryStatus.values)}.")
    source = serializers.CharField(required=False, help_text=f"{_one_of(Source.values)}.")
    context_issue = serializers.PrimaryKeyRelatedField(
        queryset=ContextIssue.objects.all(), required=False, allow_null=True
    )
    interested_party = serializers.PrimaryKeyRelatedField(
        queryset=InterestedParty.objects.all(), required=False, allow_null=True
    )
    requirements = serializers.PrimaryKeyRelatedField(
        queryset=Requirement.objects.all(), many=True, required=False, help_text="Linked requirements (ids)."
    )
    customers = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), many=True, required=False, help_text="Linked customers (ids)."
    )
    feedback_items = serializers.PrimaryKeyRelatedField(
        queryset=FeedbackItem.objects.all(), many=True, required=False, help_text="Linked feedback (ids)."
    )
    category = serializers.PrimaryKeyRelatedField(queryset=RiskCategory.objects.all(), required=False, allow_null=True)
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        help_text="Username of the owner; default you. Only quality managers hand an entry to someone else.",
    )
    treatment_option = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Risks: avoid, reduce, transfer, accept; opportunities: pursue, enhance, share, decline.",
    )
    inherent_band = serializers.CharField(read_only=True, help_text=f"{_one_of(BandName.values)} or blank.")
    target_band = serializers.CharField(read_only=True, help_text=f"{_one_of(BandName.values)} or blank.")
    residual_band = serializers.CharField(read_only=True, help_text=f"{_one_of(BandName.values)} or blank.")
    current_band = serializers.SerializerMethodField(help_text="The residual band once scored, else the inherent.")
    accepted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    allowed_steps = serializers.SerializerMethodField(
        help_text=f"The steps you may take now (POST one to step/): some of {_one_of(STEP_NAMES)}."
    )

    class Meta:
        model = RiskEntry
        fields = [
            "id",
            "url",
            "reference",
            "kind",
            "title",
            "description",
            "cause",
            "effect",
            "source",
            "context_issue",
            "interested_party",
            "requirements",
            "customers",
            "feedback_items",
            "category",
            "category_name",
            "owner",
            "status",
            "review_frequency_months",
            "next_review_date",
            "inherent_score",
            "inherent_band",
            "inherent_likelihood",
            "inherent_impact",
            "target_score",
            "target_band",
            "residual_score",
            "residual_band",
            "residual_likelihood",
            "residual_impact",
            "current_band",
            "treatment_option",
            "treatment_plan",
            "accepted_by",
            "accepted_at",
            "acceptance_reason",
            "approval_required",
            "approved_by",
            "approved_at",
            "proposed_by",
            "closed_reason",
            "allowed_steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "reference",
            "inherent_score",
            "inherent_likelihood",
            "inherent_impact",
            "target_score",
            "residual_score",
            "residual_likelihood",
            "residual_impact",
            "accepted_at",
            "acceptance_reason",
            "approval_required",
            "approved_at",
            "closed_reason",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only what the caller may see can be linked.
            user = request.user
            self.fields["requirements"].child_relation.queryset = Requirement.objects.restrict(user, "view")
            self.fields["customers"].child_relation.queryset = Customer.objects.restrict(user, "view")
            self.fields["feedback_items"].child_relation.queryset = FeedbackItem.objects.restrict(user, "view")

    def validate_kind(self, value: str) -> str:
        return _check_choice(value, EntryKind.values)

    def validate_source(self, value: str) -> str:
        return _check_choice(value, Source.values)

    def validate_treatment_option(self, value: str) -> str:
        return _check_choice(value, TreatmentOption.values)

    def get_current_band(self, entry: RiskEntry) -> str:
        return current_band(entry)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_steps(self, entry: RiskEntry) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [step.name for step in allowed_steps(entry, request.user)]


class RiskAssessmentInputSerializer(serializers.Serializer):
    """Score the entry on the matrix in use; the levels' range is checked by the service."""

    kind = serializers.CharField(help_text=f"{_one_of(AssessmentKind.values)}.")
    likelihood = serializers.IntegerField(help_text="Likelihood level, 1 = lowest.")
    impact = serializers.IntegerField(help_text="Impact level (benefit for an opportunity), 1 = lowest.")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_kind(self, value: str) -> str:
        return _check_choice(value, AssessmentKind.values)


class RiskAssessmentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    band = serializers.CharField(read_only=True)
    matrix_version = serializers.IntegerField(source="matrix.version", read_only=True)
    assessed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RiskAssessment
        fields = ["id", "kind", "likelihood", "impact", "score", "band", "matrix", "matrix_version", "note"]
        fields += ["assessed_by", "assessed_at"]
        read_only_fields = fields


class RiskStepInputSerializer(serializers.Serializer):
    """Take one workflow step; what each step needs is checked by the service (errors name the field)."""

    step = serializers.CharField(help_text=f"One of the entry's allowed_steps: {_one_of(STEP_NAMES)}.")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The reason (required to accept, close, reopen); the notes of an effectiveness review.",
    )
    treatment_option = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="To start treatment (else the entry's)."
    )
    treatment_plan = serializers.CharField(required=False, allow_null=True, default=None)
    target_reached = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="To review effectiveness."
    )


class MatrixLevelSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class MatrixBandSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=f"{_one_of(BandName.values)}.")
    min = serializers.IntegerField(min_value=0)
    max = serializers.IntegerField(min_value=0)
    colour = serializers.CharField(required=False, allow_blank=True, default="")
    requires_approval = serializers.BooleanField(required=False, default=False)
    rule = serializers.CharField(required=False, allow_blank=True, default="")


class RiskMatrixSerializer(serializers.ModelSerializer):
    """One matrix version; POST makes the next version and puts it in use (quality managers)."""

    url = RecordLinkField(view_name="api:riskmatrix-detail")
    likelihood_levels = MatrixLevelSerializer(many=True, help_text="Lowest first.")
    impact_levels = MatrixLevelSerializer(many=True, help_text="Lowest first; read as benefit for opportunities.")
    scores = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=0)),
        help_text="scores[l][i]: the score of likelihood level l+1 and impact level i+1.",
    )
    bands = MatrixBandSerializer(many=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = RiskMatrix
        fields = [
            "id",
            "url",
            "version",
            "name",
            "likelihood_levels",
            "impact_levels",
            "scores",
            "bands",
            "active",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["version", "active", "created_at"]
