from django.contrib import admin

from qms.core.admin import EngineInline, EngineModelAdmin

from .models import Attachment, Category, Escalation, FeedbackItem, FeedbackTransition, Holiday, SlaTarget, WorkingWeek


class TransitionInline(EngineInline):
    model = FeedbackTransition
    extra = 0
    fields = ["at", "name", "from_status", "to_status", "actor_name", "comment"]
    readonly_fields = fields
    can_delete = False


@admin.register(FeedbackItem)
class FeedbackItemAdmin(EngineModelAdmin):
    list_display = ["reference", "kind", "status", "severity", "received_at", "customer", "assignee"]
    list_filter = ["kind", "status", "severity", "channel", "category"]
    search_fields = ["reference", "summary", "submitter_name", "submitter_email", "customer__name"]
    list_select_related = ["customer", "assignee"]
    readonly_fields = ["reference", "status", "acknowledged_at", "resolved_at", "closed_at", "paused_since"]
    raw_id_fields = ["customer", "contact", "logged_by", "assignee"]
    filter_horizontal = ["requirements"]
    inlines = [TransitionInline]


@admin.register(Category)
class CategoryAdmin(EngineModelAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(Attachment)
class AttachmentAdmin(EngineModelAdmin):
    list_display = ["original_name", "item", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["item", "uploaded_by"]
    search_fields = ["original_name", "item__reference"]
    # Files arrive through the portal's upload check (type by content, size); the admin only shows them.
    readonly_fields = ["file", "original_name", "size", "uploaded_by"]

    def has_add_permission(self, request):
        return False


@admin.register(SlaTarget)
class SlaTargetAdmin(EngineModelAdmin):
    list_display = ["severity", "acknowledge_days", "resolve_days", "warn_before_hours"]


@admin.register(WorkingWeek)
class WorkingWeekAdmin(EngineModelAdmin):
    list_display = ["__str__"]


@admin.register(Holiday)
class HolidayAdmin(EngineModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(Escalation)
class EscalationAdmin(EngineModelAdmin):
    list_display = ["item", "target", "level", "cycle", "due_at", "created_at"]
    list_filter = ["target", "level"]
    list_select_related = ["item"]
