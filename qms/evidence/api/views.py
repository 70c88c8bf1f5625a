"""The evidence-export API: the same service and permission engine as the pages."""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as viewset_action
from rest_framework.response import Response

from qms.accounts.permissions import EnginePermission

from .. import selectors, services
from ..models import EvidenceExport
from ..registry import CLAUSES
from .serializers import EvidenceExportCreateSerializer, EvidenceExportSerializer


class EvidenceExportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Evidence packs: list your own (newest first), create one (POST → 202, built in the background), read one
    to poll its progress, and GET ``{id}/download/`` for the ZIP once it is done. Quality managers and auditors
    may export; nothing else can be changed here."""

    queryset = EvidenceExport.objects.all()
    serializer_class = EvidenceExportSerializer
    permission_classes = [EnginePermission]
    # "export" is a read action, so auditors pass the engine; staff hold no export permission.
    permission_actions = {"list": "export", "retrieve": "export", "create": "export", "download": "export"}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.export_list(user=self.request.user)
        return selectors.export_visible(user=self.request.user)

    @extend_schema(request=EvidenceExportCreateSerializer, responses={202: EvidenceExportSerializer})
    def create(self, request, *args, **kwargs):
        shape = EvidenceExportCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        export = services.export_create(
            actor=request.user,
            start=data["period_start"],
            end=data["period_end"],
            clauses=data.get("clauses") or list(CLAUSES),
        )
        body = EvidenceExportSerializer(export, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="Not ready")}
    )
    @viewset_action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        export = self.get_object()
        path = services.export_file_path(export)
        if path is None:
            raise Http404("This evidence pack is not ready, or it failed.")
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=export.download_name,
            content_type="application/zip",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
