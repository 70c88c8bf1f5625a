"""Shapes of the evidence-export API; the service validates meaning."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ..models import EvidenceExport
from ..registry import CLAUSES


class EvidenceExportSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceExport
        fields = [
            "id",
            "created_by",
            "created_at",
            "period_start",
            "period_end",
            "clauses",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "finished_at",
            "file_size",
            "sha256",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        if not obj.downloadable:
            return None
        url = reverse("api:evidenceexport-download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class EvidenceExportCreateSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    clauses = serializers.ListField(
        child=serializers.ChoiceField(choices=list(CLAUSES)),
        required=False,
        help_text="ISO 9001 clauses; all of them when left out.",
    )
