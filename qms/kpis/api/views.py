"""The KPI, KPI value and quality objective API: the same services, selectors and permission engine as
the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action as viewset_action
from rest_framework.response import Response
from rest_framework.views import APIView

from qms.accounts.permissions import can
from qms.core.api import RegisterViewSet
from qms.core.filters import PersonFilter, PortalFilterSet

from .. import scorecard, selectors, services
from ..choices import ValueOrigin
from ..filters import KpiFilterSet
from ..models import DashboardSnapshot, Kpi, KpiValue, Objective
from .serializers import (
    DashboardQuerySerializer,
    DashboardSerializer,
    KpiSerializer,
    KpiValueInputSerializer,
    KpiValueRangeSerializer,
    KpiValueSerializer,
    ObjectiveSerializer,
)


def _with_latest(kpis: list[Kpi]) -> list[Kpi]:
    """Set ``latest`` (the latest value with a number) on each KPI; one query for all of them."""
    latest = selectors.latest_values([kpi.pk for kpi in kpis])
    for kpi in kpis:
        kpi.latest = latest.get(kpi.pk)
    return kpis


class KpiViewSet(RegisterViewSet):
    """KPIs: list (``q``, ``source``, ``frequency``, ``active``, ``owner``, ``ordering``), read, define,
    change and delete (quality managers; a KPI with values or measuring an objective is not deleted: make
    it inactive). GET ``{id}/values/`` lists its values (``start``, ``end``); POST ``{id}/values/`` enters
    one period's value (the KPI's owner or a quality manager; entered KPIs only)."""

    queryset = Kpi.objects.all()
    serializer_class = KpiSerializer
    filterset_class = KpiFilterSet
    # The service decides who may enter a value: the KPI's owner, or a quality manager.
    permission_actions = {"values": "view"}
    ordering_fields = ["name", "frequency", "source", "target", "created_at", "updated_at"]
    ordering = ["name"]

    def get_queryset(self):
        if self.action in self.permission_actions:
            return self.restricted_queryset("view")
        return super().get_queryset()

    def restricted_queryset(self, action):
        return Kpi.objects.restrict(self.request.user, action).select_related("owner").order_by("name", "pk")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else _with_latest(list(page))

    def get_object(self):
        kpi = super().get_object()
        # Only a read shows the latest value; writes answer with a fresh copy, values list their own.
        return _with_latest([kpi])[0] if self.action == "retrieve" else kpi

    def _fresh(self, kpi: Kpi) -> Kpi:
        return _with_latest([self.restricted_queryset("view").get(pk=kpi.pk)])[0]

    def create_record(self, data):
        return self._fresh(services.kpi_create(actor=self.request.user, **data))

    def update_record(self, instance, data):
        return self._fresh(services.kpi_update(actor=self.request.user, kpi=instance, **data))

    def delete_record(self, instance):
        services.kpi_delete(actor=self.request.user, kpi=instance)

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="Periods starting on or after (date)."
            ),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="Periods starting on or before (date)."
            ),
        ],
        responses=KpiValueSerializer(many=True),
    )
    @extend_schema(methods=["POST"], request=KpiValueInputSerializer, responses={201: KpiValueSerializer})
    @viewset_action(detail=True, methods=["get", "post"], filter_backends=[], ordering=None)
    def values(self, request, pk=None):
        """GET: the KPI's values, newest period first. POST: enter (or correct) one period's value; 403 unless
        you own the KPI or are a quality manager, 400 naming ``value`` for a computed KPI or a value that is
        not a number, ``period_start`` for a period that is not the first day or has not started."""
        kpi = self.get_object()
        if request.method == "POST":
            if not services.may_enter_values(request.user, kpi):
                # Refused before the input is looked at: the answer says nothing about what would be valid.
                raise exceptions.PermissionDenied("Only the KPI's owner or a quality manager may enter its values.")
            payload = KpiValueInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            recorded = services.value_record(
                actor=request.user, kpi=kpi, origin=ValueOrigin.API, **payload.validated_data
            )
            recorded = KpiValue.objects.select_related("kpi", "recorded_by").get(pk=recorded.pk)
            return Response(KpiValueSerializer(recorded).data, status=status.HTTP_201_CREATED)
        query = KpiValueRangeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = KpiValue.objects.filter(kpi=kpi).select_related("kpi", "recorded_by").order_by("-period_start")
        if query.validated_data.get("start"):
            values = values.filter(period_start__gte=query.validated_data["start"])
        if query.validated_data.get("end"):
            values = values.filter(period_start__lte=query.validated_data["end"])
        page = self.paginate_queryset(values)
        return self.get_paginated_response(KpiValueSerializer(page, many=True).data)


class ObjectiveApiFilterSet(PortalFilterSet):
    """Search and owner. The status is derived from the KPI values after the page is read, so it is not a
    filter here: read ``status`` on each objective."""

    q = django_filters.CharFilter(method="search", label="Search", help_text="Reference or statement.")
    owner = PersonFilter()

    class Meta:
        model = Objective
        fields = ["q", "owner"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(statement__icontains=value))


class ObjectiveViewSet(RegisterViewSet):
    """Quality objectives (6.2): list (``q``, ``owner``, ``ordering``), read, set, change and delete (quality
    managers). ``measures`` are the KPIs measuring the objective, each with its latest value and status;
    ``status`` is the hand-set status when there is one, else the one derived from those statuses."""

    queryset = Objective.objects.all()
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveApiFilterSet
    ordering_fields = ["reference", "target_date", "created_at", "updated_at"]
    ordering = ["target_date", "reference"]

    def restricted_queryset(self, action):
        objectives = selectors.objective_list(user=self.request.user).order_by("target_date", "reference")
        return objectives if can(self.request.user, action, Objective) else objectives.none()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_status(list(page))

    def get_object(self):
        objective = super().get_object()
        return selectors.with_status([objective])[0] if self.action == "retrieve" else objective

    def _fresh(self, objective: Objective) -> Objective:
        return selectors.with_status([self.restricted_queryset("view").get(pk=objective.pk)])[0]

    @staticmethod
    def _fields(data) -> tuple[dict, list[dict] | None]:
        data = dict(data)
        rows = data.pop("measure_rows", None)
        measures = None if rows is None else [{"kpi": row["kpi"], "target": row.get("target")} for row in rows]
        return data, measures

    def create_record(self, data):
        fields, measures = self._fields(data)
        return self._fresh(services.objective_create(actor=self.request.user, measures=measures, **fields))

    def update_record(self, instance, data):
        fields, measures = self._fields(data)
        objective = services.objective_update(actor=self.request.user, objective=instance, measures=measures, **fields)
        return self._fresh(objective)

    def delete_record(self, instance):
        services.objective_delete(actor=self.request.user, objective=instance)


class DashboardView(APIView):
    """The scorecard behind the dashboards: each figure with its status and trend, the KPI tiles and the
    objectives, for ``start`` … ``end`` (default: the last 12 months to today) and, where the figures allow,
    one customer ``segment`` or ``product``. Served from a stored snapshot while it is fresh. Read by quality
    managers, top management and auditors (it counts every record, so staff may not)."""

    permission_model = DashboardSnapshot

    @extend_schema(parameters=[DashboardQuerySerializer], responses=DashboardSerializer)
    def get(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        default_start, default_end = scorecard.default_range()
        data = scorecard.scorecard(
            start=query.validated_data.get("start") or default_start,
            end=query.validated_data.get("end") or default_end,
            segment=query.validated_data.get("segment", ""),
            product=query.validated_data.get("product", ""),
        )
        return Response(data)
