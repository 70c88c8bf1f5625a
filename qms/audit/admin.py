from django.contrib import admin

from qms.core.admin import EngineModelAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(EngineModelAdmin):
    """Read-only: the engine refuses add, change and delete on append-only models for everyone."""

    list_display = ["seq", "timestamp", "actor_name", "source", "action", "content_type", "object_repr"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["object_repr", "actor_name", "request_id"]
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
