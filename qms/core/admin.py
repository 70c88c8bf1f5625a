"""Admin classes that ask the permission engine, so the admin follows the same rules as pages and API."""

from django.contrib import admin

from qms.accounts.permissions import can

from .models import OutboxEmail


class EnginePermissionsMixin:
    def has_view_permission(self, request, obj=None):
        return can(request.user, "view", self.model, obj)

    def has_add_permission(self, request, obj=None):
        return can(request.user, "add", self.model)

    def has_change_permission(self, request, obj=None):
        return can(request.user, "change", self.model, obj)

    def has_delete_permission(self, request, obj=None):
        return can(request.user, "delete", self.model, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")


class EngineModelAdmin(EnginePermissionsMixin, admin.ModelAdmin):
    pass


class EngineInline(EnginePermissionsMixin, admin.TabularInline):
    pass


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Operators see what was queued, sent or failing; messages are never edited by hand."""

    list_display = ("subject", "created_at", "sent_at", "attempts", "last_error")
    list_filter = ("sent_at",)
    search_fields = ("subject", "to", "key")
    readonly_fields = [field.name for field in OutboxEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
