"""API shapes for actions; meaning is checked by the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qms.core.serializers import RecordLinkField, RegisterSerializer

from ..choices import ActionStatus
from ..models import Action
from ..selectors import source_ref
from ..workflow import TRANSITION_NAMES


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class ActionSourceSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="app_label.model of the record, e.g. feedback.feedbackitem")
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="The record's name when the action was raised.")


class ActionSerializer(RegisterSerializer):
    reference = serializers.CharField(read_only=True)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=_active_users(), help_text="Username of who carries out the action."
    )
    # A plain string: a second ChoiceField over the same choices would be a second enum in the schema.
    status = serializers.CharField(
        read_only=True, help_text="One of " + ", ".join(ActionStatus.values) + "; changed by POST …/transition/."
    )
    source = serializers.SerializerMethodField(help_text="The record the action was raised from, or null.")
    source_ref = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=120,
        help_text="On create: the record it is raised from, as app_label.model:id (e.g. requirements.evaluation:3).",
    )
    checked_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(help_text="Open or in progress and past its due date.")
    url = RecordLinkField(view_name="api:action-detail")

    class Meta:
        model = Action
        fields = [
            "id",
            "url",
            "reference",
            "kind",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "overdue",
            "source",
            "source_ref",
            "completion_note",
            "completed_at",
            "check_planned_on",
            "check_criteria",
            "check_notes",
            "checked_by",
            "checked_at",
            "cancel_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "completion_note",
            "completed_at",
            "check_notes",
            "checked_at",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ActionSourceSerializer(allow_null=True))
    def get_source(self, action: Action) -> dict | None:
        ref = source_ref(action)
        if not ref:
            return None
        label, _, pk = ref.partition(":")
        return {"type": label, "id": int(pk), "label": action.source_label}

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, action: Action) -> bool:
        return action.is_overdue


class ActionTransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=[(name, name) for name in TRANSITION_NAMES])
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="What was done (complete), what the check found (verify_*), or why (cancel).",
    )
