from django.contrib import admin

from qms.core.admin import EngineInline, EngineModelAdmin

from .models import (
    Acknowledgement,
    Assignment,
    Attachment,
    ContextIssue,
    Evaluation,
    InterestedParty,
    Requirement,
)


class AssignmentInline(EngineInline):
    model = Assignment
    extra = 0
    fields = ["user", "group"]


@admin.register(Requirement)
class RequirementAdmin(EngineModelAdmin):
    list_display = ["reference", "title", "kind", "status", "version", "owner", "next_review_date"]
    list_filter = ["kind", "status", "criticality"]
    search_fields = ["reference", "title", "legal_reference"]
    list_select_related = ["owner"]
    readonly_fields = ["version"]
    inlines = [AssignmentInline]


@admin.register(InterestedParty)
class InterestedPartyAdmin(EngineModelAdmin):
    list_display = ["name", "kind", "customer", "relevance", "review_date"]
    list_filter = ["kind", "relevance"]
    search_fields = ["name"]
    list_select_related = ["customer"]


@admin.register(ContextIssue)
class ContextIssueAdmin(EngineModelAdmin):
    list_display = ["title", "scope", "review_date"]
    list_filter = ["scope"]
    search_fields = ["title"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(EngineModelAdmin):
    list_display = ["requirement", "user", "version", "acknowledged_at"]
    list_select_related = ["requirement", "user"]
    search_fields = ["requirement__reference", "user__username"]


@admin.register(Evaluation)
class EvaluationAdmin(EngineModelAdmin):
    list_display = ["requirement", "evaluated_on", "result", "evaluator", "next_due_date"]
    list_filter = ["result"]
    list_select_related = ["requirement", "evaluator"]
    search_fields = ["requirement__reference"]


@admin.register(Attachment)
class AttachmentAdmin(EngineModelAdmin):
    list_display = ["original_name", "requirement", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["requirement", "uploaded_by"]
    # Files arrive through the portal's upload check (type by content, size); the admin only shows them.
    readonly_fields = ["file", "original_name", "size", "uploaded_by"]

    def has_add_permission(self, request):
        return False
