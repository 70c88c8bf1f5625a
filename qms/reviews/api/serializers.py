"""API shapes for management reviews; meaning (status moves, who signs) is checked by the services.
Choice fields are plain strings so their enums do not collide with other registers' in the schema."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qms.core.serializers import RecordLinkField

from ..choices import OutputKind, ReviewStatus, SummaryKind
from ..models import Review, ReviewOutput, ReviewSignature, Summary


def _people():
    return get_user_model().objects.filter(is_active=True)


class ReviewOutputSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=", ".join(OutputKind.values))
    action_reference = serializers.CharField(source="action.reference", read_only=True, default=None)

    class Meta:
        model = ReviewOutput
        fields = ["id", "kind", "description", "decision", "action", "action_reference", "created_at"]
        read_only_fields = fields


class ReviewSignatureSerializer(serializers.ModelSerializer):
    signer = serializers.CharField(source="signer.username", read_only=True)

    class Meta:
        model = ReviewSignature
        fields = ["signer", "meaning", "signed_at", "content_hash"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    url = RecordLinkField(view_name="api:review-detail")
    status = serializers.CharField(read_only=True, help_text=", ".join(ReviewStatus.values))
    chair = serializers.SlugRelatedField(slug_field="username", queryset=_people(), help_text="Username of the chair.")
    attendees = serializers.SlugRelatedField(
        slug_field="username", queryset=_people(), many=True, required=False, help_text="Usernames."
    )
    outputs = ReviewOutputSerializer(many=True, read_only=True)
    signature = ReviewSignatureSerializer(read_only=True, allow_null=True)
    signature_valid = serializers.SerializerMethodField(
        help_text="On one review: whether the content still hashes to what was signed (null when unsigned)."
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "url",
            "reference",
            "review_date",
            "chair",
            "attendees",
            "other_attendees",
            "period_start",
            "period_end",
            "status",
            "inputs",
            "inputs_compiled_at",
            "done_well",
            "to_improve",
            "switch_risk",
            "minutes",
            "held_at",
            "approved_at",
            "outputs",
            "signature",
            "signature_valid",
        ]
        read_only_fields = ["reference", "inputs", "inputs_compiled_at", "held_at", "approved_at"]

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_signature_valid(self, review: Review) -> bool | None:
        from ..services import verify_signature

        view = self.context.get("view")
        if view is not None and getattr(view, "action", None) == "list":
            return None  # one hash per row would grow the list's queries; read one review for it
        if getattr(review, "signature", None) is None:
            return None
        return verify_signature(review)

    def validate(self, attrs):
        start = attrs.get("period_start", getattr(self.instance, "period_start", None))
        end = attrs.get("period_end", getattr(self.instance, "period_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"period_end": "The period must end on or after the day it starts."})
        return attrs


class ReviewApproveInputSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False, help_text="The chair's own password.")


class SummaryListSerializer(serializers.ModelSerializer):
    url = RecordLinkField(view_name="api:summary-detail")
    pdf_url = RecordLinkField(view_name="api:summary-pdf")
    kind = serializers.CharField(read_only=True, help_text=", ".join(SummaryKind.values))
    delivery = serializers.SerializerMethodField(help_text="stored (nobody to send to), queued, retrying or sent.")
    sent_at = serializers.DateTimeField(source="delivery.sent_at", read_only=True, allow_null=True)

    class Meta:
        model = Summary
        fields = [
            "id",
            "url",
            "kind",
            "title",
            "period_start",
            "period_end",
            "compiled_at",
            "recipients",
            "delivery",
            "sent_at",
            "pdf_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["stored", "queued", "retrying", "sent"]))
    def get_delivery(self, summary: Summary) -> str:
        email = summary.delivery
        if email is None:
            return "stored"
        if email.sent_at:
            return "sent"
        return "retrying" if email.last_error else "queued"


class SummarySerializer(SummaryListSerializer):
    content = serializers.JSONField(read_only=True, help_text="The frozen data of the summary, as sent.")

    class Meta(SummaryListSerializer.Meta):
        fields = [*SummaryListSerializer.Meta.fields, "content"]
        read_only_fields = fields
