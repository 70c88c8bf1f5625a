"""Management reviews in the admin: read only, since every write goes through the services (a signed
review must never be changed behind its signature)."""

from django.contrib import admin

from qms.core.admin import EngineInline, EngineModelAdmin

from .models import Review, ReviewOutput, ReviewSignature


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewOutputInline(ReadOnlyMixin, EngineInline):
    model = ReviewOutput
    extra = 0
    fields = ["kind", "description", "decision", "action", "created_by", "created_at"]
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, EngineModelAdmin):
    list_display = ["reference", "review_date", "chair", "period_start", "period_end", "status"]
    list_filter = ["status"]
    search_fields = ["reference", "minutes"]
    list_select_related = ["chair"]
    inlines = [ReviewOutputInline]


@admin.register(ReviewSignature)
class ReviewSignatureAdmin(ReadOnlyMixin, EngineModelAdmin):
    list_display = ["review", "signer", "meaning", "signed_at", "content_hash"]
    list_select_related = ["review", "signer"]
