from django.contrib import admin

from qms.core.admin import EngineInline, EngineModelAdmin

from .models import Kpi, KpiValue, Objective, ObjectiveKpi, OrderVolume


@admin.register(Kpi)
class KpiAdmin(EngineModelAdmin):
    list_display = ["name", "source", "figure", "frequency", "target", "owner", "active"]
    list_filter = ["source", "frequency", "active"]
    list_select_related = ["owner"]
    search_fields = ["name"]


@admin.register(KpiValue)
class KpiValueAdmin(EngineModelAdmin):
    list_display = ["kpi", "period_start", "value", "final", "origin", "recorded_by", "recorded_at"]
    list_filter = ["origin", "final"]
    list_select_related = ["kpi", "recorded_by"]


@admin.register(OrderVolume)
class OrderVolumeAdmin(EngineModelAdmin):
    list_display = ["month", "orders", "entered_by"]
    list_select_related = ["entered_by"]


class ObjectiveKpiInline(EngineInline):
    model = ObjectiveKpi
    extra = 0


@admin.register(Objective)
class ObjectiveAdmin(EngineModelAdmin):
    list_display = ["reference", "statement", "owner", "target_date", "status_override"]
    list_select_related = ["owner"]
    readonly_fields = ["reference"]
    inlines = [ObjectiveKpiInline]
