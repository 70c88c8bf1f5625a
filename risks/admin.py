from django.contrib import admin

from qms.core.admin import EngineInline, EngineModelAdmin

from .models import EffectivenessReview, RiskAssessment, RiskCategory, RiskEntry, RiskMatrix


class RiskAssessmentInline(EngineInline):
    model = RiskAssessment
    extra = 0
    fields = ["kind", "matrix", "likelihood", "impact", "score", "band", "assessed_by", "assessed_at", "note"]
    readonly_fields = fields


@admin.register(RiskEntry)
class RiskEntryAdmin(EngineModelAdmin):
    list_display = ["reference", "kind", "title", "status", "inherent_band", "residual_band", "owner"]
    list_filter = ["kind", "status", "inherent_band", "residual_band", "category"]
    search_fields = ["reference", "title"]
    list_select_related = ["owner"]
    readonly_fields = ["reference"]
    inlines = [RiskAssessmentInline]


@admin.register(RiskMatrix)
class RiskMatrixAdmin(EngineModelAdmin):
    list_display = ["version", "name", "active", "created_by", "created_at"]
    list_select_related = ["created_by"]

    # A version is never changed in place: a change makes the next version (services.matrix_save), on
    # the matrix page, so the admin only shows them.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskCategory)
class RiskCategoryAdmin(EngineModelAdmin):
    list_display = ["name", "active"]
    search_fields = ["name"]


@admin.register(EffectivenessReview)
class EffectivenessReviewAdmin(EngineModelAdmin):
    list_display = ["entry", "reviewed_at", "reviewer", "target_reached"]
    list_select_related = ["entry", "reviewer"]
