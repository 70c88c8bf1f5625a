"""API shapes for the feedback register; meaning (who may change what, the workflow) is checked by the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.choices import CustomerStatus, Segment
from customers.models import Contact, Customer
from qms.core.serializers import RecordLinkField, RegisterSerializer
from requirements.models import Requirement

from .. import survey_figures
from ..choices import (
    Acceptance,
    CampaignStatus,
    FeedbackStatus,
    InvitationStatus,
    QuestionType,
    Severity,
    TemplatePurpose,
)
from ..models import (
    Answer,
    Campaign,
    Category,
    FeedbackItem,
    FeedbackTransition,
    Invitation,
    Question,
    SurveyResponse,
    SurveyTemplate,
)
from ..services import allowed_transitions, survey_delivery
from ..workflow import TRANSITION_NAMES

STATUS_NAMES = ", ".join(FeedbackStatus.values)
TRANSITION_LIST = ", ".join(TRANSITION_NAMES)


class FeedbackCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "description", "active"]
        read_only_fields = fields


class FeedbackTransitionRecordSerializer(RegisterSerializer):
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


class FeedbackItemSerializer(RegisterSerializer):
    url = RecordLinkField(view_name="api:feedbackitem-detail")
    received_at = serializers.DateTimeField(required=False, help_text="When it reached us; default now.")
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    customer_code = serializers.CharField(source="customer.code", read_only=True, allow_null=True)
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    requirements = serializers.PrimaryKeyRelatedField(
        queryset=Requirement.objects.all(), many=True, required=False, help_text="Linked requirements (ids)."
    )
    logged_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
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


# Surveys (9.1.2) -------------------------------------------------------------------------------------
# Statuses and types are plain strings with their values in the help text: ChoiceFields would add
# more "status"/"type" enums to the schema, colliding with the registers' own.

CAMPAIGN_STATUS_NAMES = ", ".join(CampaignStatus.values)
INVITATION_STATUS_NAMES = ", ".join(InvitationStatus.values)
QUESTION_TYPE_NAMES = ", ".join(QuestionType.values)


class SurveyQuestionSerializer(serializers.ModelSerializer):
    type = serializers.CharField(read_only=True, help_text=f"One of {QUESTION_TYPE_NAMES}.")
    choices = serializers.ListField(
        source="choice_list", child=serializers.CharField(), read_only=True, help_text="Choice questions: the options."
    )
    scale = serializers.SerializerMethodField(help_text="Scored questions: the allowed numbers; null otherwise.")

    class Meta:
        model = Question
        fields = ["id", "order", "type", "text", "help_text", "required", "scale_max", "scale", "choices"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_scale(self, question: Question) -> list[int] | None:
        return list(question.scale) if question.scale is not None else None


class SurveyTemplateSerializer(serializers.ModelSerializer):
    url = RecordLinkField(view_name="api:surveytemplate-detail")
    purpose = serializers.CharField(read_only=True, help_text=f"One of {', '.join(TemplatePurpose.values)}.")
    current = serializers.BooleanField(source="is_current", read_only=True, help_text="Not superseded.")

    class Meta:
        model = SurveyTemplate
        fields = [
            "id",
            "url",
            "code",
            "version",
            "name",
            "purpose",
            "intro",
            "thank_you",
            "frozen_at",
            "current",
            "superseded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SurveyTemplateDetailSerializer(SurveyTemplateSerializer):
    questions = SurveyQuestionSerializer(many=True, read_only=True, help_text="In the order they are asked.")

    class Meta(SurveyTemplateSerializer.Meta):
        fields = [*SurveyTemplateSerializer.Meta.fields, "questions"]
        read_only_fields = fields


class CampaignProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Invitations made.")
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    responded = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Not sent yet.")
    percent = serializers.IntegerField(help_text="Share already sent, 0–100.")


class NpsSummarySerializer(serializers.Serializer):
    promoters = serializers.IntegerField(help_text="Scores 9–10.")
    passives = serializers.IntegerField(help_text="Scores 7–8.")
    detractors = serializers.IntegerField(help_text="Scores 0–6.")
    total = serializers.IntegerField(help_text="Responses with an NPS score.")
    nps = serializers.FloatField(
        allow_null=True, help_text="% promoters − % detractors (−100 to 100, one decimal); null without scores."
    )


class CsatSummarySerializer(serializers.Serializer):
    satisfied = serializers.IntegerField(help_text="CSAT 4 or 5.")
    total = serializers.IntegerField(help_text="Responses with a CSAT score.")
    csat_pct = serializers.FloatField(allow_null=True, help_text="% satisfied (one decimal); null without scores.")


class ResponseRateSummarySerializer(serializers.Serializer):
    responses = serializers.IntegerField(help_text="Responses to delivered invitations.")
    delivered = serializers.IntegerField(help_text="Invitations sent and not failed.")
    rate_pct = serializers.FloatField(allow_null=True, help_text="Responses ÷ delivered, % (one decimal).")


class CampaignResultsSerializer(serializers.Serializer):
    response_rate = ResponseRateSummarySerializer()
    nps = NpsSummarySerializer()
    csat = CsatSummarySerializer()


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign; quality managers create and change them (the audience and template only while a draft)."""

    url = RecordLinkField(view_name="api:campaign-detail")
    template = serializers.PrimaryKeyRelatedField(
        queryset=SurveyTemplate.objects.all(), help_text="The current version of a template with questions."
    )
    template_name = serializers.CharField(source="template.name", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    status = serializers.CharField(read_only=True, help_text=f"One of {CAMPAIGN_STATUS_NAMES}.")
    segments = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=f"Customer segments to ask (empty = any): some of {', '.join(Segment.values)}.",
    )
    customer_statuses = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=f"Customer statuses to ask (empty = any): some of {', '.join(CustomerStatus.values)}.",
    )
    customers = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        many=True,
        required=False,
        help_text="Hand-picked customers (ids); when given, only these are asked.",
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "url",
            "name",
            "template",
            "template_name",
            "template_version",
            "status",
            "segments",
            "customer_statuses",
            "customers",
            "opens_at",
            "closes_at",
            "reminder_max",
            "reminder_after_days",
            "automatic",
            "created_by",
            "sent_started_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["automatic", "sent_started_at", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only what the caller may see can be chosen.
            self.fields["template"].queryset = SurveyTemplate.objects.restrict(request.user, "view")
            self.fields["customers"].child_relation.queryset = Customer.objects.restrict(request.user, "view")


class CampaignDetailSerializer(CampaignSerializer):
    """A campaign with its sending progress and results summary (each read when shown)."""

    progress = serializers.SerializerMethodField(help_text="Counts of the campaign's invitations.")
    results = serializers.SerializerMethodField(help_text="Response rate, NPS and CSAT so far.")

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "progress", "results"]

    @extend_schema_field(CampaignProgressSerializer)
    def get_progress(self, campaign: Campaign) -> dict:
        return survey_delivery.campaign_progress(campaign)

    @extend_schema_field(CampaignResultsSerializer)
    def get_results(self, campaign: Campaign) -> dict:
        responses = SurveyResponse.objects.filter(campaign=campaign)
        return {
            "response_rate": survey_figures.response_rate_summary(Invitation.objects.filter(campaign=campaign)),
            "nps": survey_figures.nps_summary(responses),
            "csat": survey_figures.csat_summary(responses),
        }


class InvitationSerializer(serializers.ModelSerializer):
    """One person asked; the token (the key to the response page) is never shown."""

    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True, help_text=f"One of {INVITATION_STATUS_NAMES}.")

    class Meta:
        model = Invitation
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "contact",
            "customer",
            "customer_name",
            "email",
            "name",
            "status",
            "sent_at",
            "last_message_at",
            "reminders_sent",
            "responded_at",
            "opted_out_at",
            "feedback_item",
            "created_at",
        ]
        read_only_fields = fields


class SurveyAnswerSerializer(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question_id", read_only=True)
    type = serializers.CharField(source="question.type", read_only=True, help_text=f"One of {QUESTION_TYPE_NAMES}.")
    text = serializers.CharField(source="question.text", read_only=True, help_text="The question asked.")
    value = serializers.SerializerMethodField(
        help_text="The answer: a number (nps, csat, rating), a list of options (single, multiple) or text."
    )

    class Meta:
        model = Answer
        fields = ["question", "type", "text", "value"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.ANY)
    def get_value(self, answer: Answer):
        kind = answer.question.type
        if kind in (QuestionType.NPS, QuestionType.CSAT, QuestionType.RATING):
            return answer.number
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return list(answer.choices or [])
        return answer.text


class SurveyResponseSerializer(serializers.ModelSerializer):
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, allow_null=True)
    segment = serializers.CharField(read_only=True, help_text="The customer's segment when they answered.")
    answers = SurveyAnswerSerializer(many=True, read_only=True, help_text="In the order of the questions.")

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "invitation",
            "customer",
            "customer_name",
            "segment",
            "submitted_at",
            "nps_score",
            "csat_score",
            "follow_up",
            "answers",
        ]
        read_only_fields = fields
