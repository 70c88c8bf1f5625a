"""Admin classes that ask the permission engine, so the admin follows the same rules as pages and API."""

from django.contrib import admin

from qms.accounts.permissions import can


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
