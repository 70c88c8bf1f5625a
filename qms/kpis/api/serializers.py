"""API shapes for KPIs, their values and quality objectives; meaning (who may change what, the period
rules, the figures) is checked by the services. Choice fields are plain strings checked here: a
ChoiceField named ``source`` or ``status`` would collide with other registers' enums in the schema."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qms.core.serializers import RecordLinkField

from ..choices import Direction, Frequency, KpiSource, ObjectiveStatus, Rag, ValueOrigin
from ..figures import REGISTRY
from ..models import Kpi, KpiValue, Objective
from ..periods import MAX_RANGE_YEARS, period_label
from ..selectors import kpi_status
from ..services import KPI_FIELDS


def _one_of(values) -> str:
    return ", ".join(values)


def _check_choice(value: str, values) -> str:
    if value and value not in values:
        raise serializers.ValidationError(f"Choose one of {_one_of(values)}.")
    return value


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class KpiSerializer(serializers.ModelSerializer):
    """A KPI's definition, with its latest recorded value and that value's red / amber / green status."""

    url = RecordLinkField(view_name="api:kpi-detail")
    direction = serializers.CharField(required=False, help_text=f"{_one_of(Direction.values)}.")
    frequency = serializers.CharField(
        required=False, help_text=f"{_one_of(Frequency.values)}; fixed once the KPI has values."
    )
    source = serializers.CharField(
        required=False,
        help_text=f"{_one_of(KpiSource.values)}: computed nightly from a figure, or entered by its owner.",
    )
    figure = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Key of the registered figure a computed KPI shows (e.g. complaints_received); empty otherwise.",
    )
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=_active_users(),
        help_text="Username of the KPI's owner: they enter its values and own the actions opened on a miss.",
    )
    latest_value = serializers.SerializerMethodField(help_text="The latest recorded value with a number, or null.")
    latest_period = serializers.SerializerMethodField(
        help_text='The period of that value ("Mar 2026", "Q1 2026"), empty when none.'
    )
    status = serializers.SerializerMethodField(help_text=f"The latest value against the target: {_one_of(Rag.values)}.")

    class Meta:
        model = Kpi
        fields = ["id", "url", *KPI_FIELDS, "latest_value", "latest_period", "status", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_direction(self, value: str) -> str:
        return _check_choice(value, Direction.values)

    def validate_frequency(self, value: str) -> str:
        return _check_choice(value, Frequency.values)

    def validate_source(self, value: str) -> str:
        return _check_choice(value, KpiSource.values)

    def validate_figure(self, value: str) -> str:
        return _check_choice(value, sorted(REGISTRY))

    @staticmethod
    def _latest(kpi: Kpi) -> KpiValue | None:
        # Set for a whole page at once by the view (one query), never fetched per KPI.
        return getattr(kpi, "latest", None)

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_latest_value(self, kpi: Kpi) -> str | None:
        latest = self._latest(kpi)
        return None if latest is None else f"{latest.value:.2f}"

    def get_latest_period(self, kpi: Kpi) -> str:
        latest = self._latest(kpi)
        return period_label(latest.period_start, kpi.frequency) if latest else ""

    def get_status(self, kpi: Kpi) -> str:
        latest = self._latest(kpi)
        return kpi_status(kpi, latest.value if latest else None)


class KpiValueSerializer(serializers.ModelSerializer):
    """One period's value of a KPI."""

    period_label = serializers.SerializerMethodField(help_text='"Mar 2026" or "Q1 2026".')
    origin = serializers.CharField(read_only=True, help_text=f"{_one_of(ValueOrigin.values)}.")
    recorded_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who entered it; null when the nightly job computed it.",
    )
    action = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="Id of the action opened because this period missed the target, or null.",
    )
    status = serializers.SerializerMethodField(help_text=f"The value against the target: {_one_of(Rag.values)}.")

    class Meta:
        model = KpiValue
        fields = [
            "id",
            "period_start",
            "period_label",
            "value",
            "final",
            "origin",
            "recorded_by",
            "recorded_at",
            "note",
            "action",
            "status",
        ]
        read_only_fields = fields

    def get_period_label(self, value: KpiValue) -> str:
        return period_label(value.period_start, value.kpi.frequency)

    def get_status(self, value: KpiValue) -> str:
        return kpi_status(value.kpi, value.value)


class KpiValueInputSerializer(serializers.Serializer):
    """Enter (or correct) one period's value of an entered KPI; the period rules are checked by the service."""

    period_start = serializers.DateField(help_text="First day of the month or quarter (YYYY-MM-DD).")
    value = serializers.CharField(
        allow_blank=True,
        help_text='The value: a number ("87.5"; "87,5" and "87.5 %" are read too). Two decimals are kept.',
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class KpiValueRangeSerializer(serializers.Serializer):
    """The query of the values list: periods starting from ``start`` to ``end`` (both optional)."""

    start = serializers.DateField(required=False, help_text="Periods starting on or after this day.")
    end = serializers.DateField(required=False, help_text="Periods starting on or before this day.")

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "The end is before the start."})
        return attrs


class ObjectiveMeasureSerializer(serializers.Serializer):
    """A KPI measuring the objective. Read from the rows ``selectors.with_status`` sets."""

    kpi = serializers.PrimaryKeyRelatedField(queryset=Kpi.objects.all(), help_text="Id of the KPI.")
    target = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        required=False,
        default=None,
        help_text="The objective's own target for this KPI; null to use the KPI's target.",
    )
    kpi_name = serializers.CharField(read_only=True)
    effective_target = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="The target in force (own or the KPI's)."
    )
    latest_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True, help_text="The KPI's latest value."
    )
    latest_period = serializers.CharField(read_only=True, help_text="The period of that value; empty when none.")
    status = serializers.CharField(
        read_only=True, help_text=f"That value against the effective target: {_one_of(Rag.values)}."
    )

    def to_representation(self, row: dict) -> dict:
        def decimal(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:.2f}"

        return {
            "kpi": row["kpi"].pk,
            "target": decimal(row["link"].target),
            "kpi_name": row["kpi"].name,
            "effective_target": decimal(row["target"]),
            "latest_value": decimal(row["value"]),
            "latest_period": row["period"],
            "status": row["status"],
        }


class ObjectiveSerializer(serializers.ModelSerializer):
    """A quality objective (6.2) with the KPIs measuring it and its status derived from their latest values."""

    url = RecordLinkField(view_name="api:objective-detail")
    reference = serializers.CharField(read_only=True)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=_active_users(), help_text="Username of who answers for the objective."
    )
    status_override = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=f"Set by hand: {_one_of(ObjectiveStatus.values)}; empty to derive it from the KPIs.",
    )
    measures = ObjectiveMeasureSerializer(
        many=True,
        required=False,
        source="measure_rows",
        help_text='The KPIs measuring it: [{"kpi": id, "target": "90.00" or null}]; given on write, replaces them.',
    )
    status = serializers.CharField(
        read_only=True, allow_null=True, help_text="The hand-set status when there is one, else the derived one."
    )
    derived_status = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=f"From the KPIs' latest statuses: {_one_of(ObjectiveStatus.values)}; null until a KPI has a value.",
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            "url",
            "reference",
            "statement",
            "owner",
            "target_date",
            "status_override",
            "override_reason",
            "measures",
            "status",
            "derived_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only KPIs the caller may see can measure an objective.
            self.fields["measures"].child.fields["kpi"].queryset = Kpi.objects.restrict(request.user, "view")

    def validate_status_override(self, value: str) -> str:
        return _check_choice(value, ObjectiveStatus.values)


DASHBOARD_MAX_YEARS = MAX_RANGE_YEARS


class DashboardQuerySerializer(serializers.Serializer):
    """The dashboard's range and filter; each may be left out. The range spans at most
    ``DASHBOARD_MAX_YEARS`` years."""

    start = serializers.DateField(
        required=False,
        help_text=f"First day of the range (default: 11 months ago, 1st); at most {DASHBOARD_MAX_YEARS} years before "
        "its end.",
    )
    end = serializers.DateField(required=False, help_text="Last day of the range, inclusive (default: today).")
    segment = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Only this customer segment, where a figure allows."
    )
    product = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Only this product, where a figure allows."
    )

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"end": "The end of the range is before its start."})
        if start and not end and start > timezone.localdate():
            raise serializers.ValidationError({"start": "The start of the range is in the future."})
        if end and not start:
            raise serializers.ValidationError({"start": "Give the start of the range with its end."})
        if start and (end or timezone.localdate()).year - start.year > DASHBOARD_MAX_YEARS:
            raise serializers.ValidationError(
                {"start": f"The range is longer than {DASHBOARD_MAX_YEARS} years; start it later."}
            )
        return attrs


class DashboardSerializer(serializers.Serializer):
    """The scorecard (JSON-ready): what the dashboard pages draw, and their tables."""

    params = serializers.DictField(child=serializers.CharField(), help_text="start, end, segment, product.")
    computed_at = serializers.DateTimeField(help_text="When these numbers were computed.")
    panels = serializers.JSONField(help_text="The figures grouped by clause 5.1.2 a), b), c), each with its status.")
    trends = serializers.JSONField(help_text="Month-by-month values of the figures over the range.")
    kpis = serializers.JSONField(help_text="One tile per active KPI: latest value, period, target, status.")
    objectives = serializers.JSONField(help_text="The quality objectives with their status.")
