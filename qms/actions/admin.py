from django.contrib import admin

from qms.core.admin import EngineModelAdmin

from .models import Action


@admin.register(Action)
class ActionAdmin(EngineModelAdmin):
    list_display = ["__str__", "kind", "status", "owner", "due_date", "source_label"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "source_label"]
    list_select_related = ["owner"]
    readonly_fields = ["status", "source_type", "source_id", "source_label", "created_by", "created_at", "updated_at"]
