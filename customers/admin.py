from django.contrib import admin

from qms.core.admin import EngineInline, EngineModelAdmin

from .models import Contact, Customer


class ContactInline(EngineInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "role", "survey_opt_out"]


@admin.register(Customer)
class CustomerAdmin(EngineModelAdmin):
    list_display = ["code", "name", "segment", "status", "country", "account_owner"]
    list_filter = ["segment", "status"]
    search_fields = ["code", "name"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(EngineModelAdmin):
    list_display = ["name", "customer", "email", "role", "survey_opt_out"]
    search_fields = ["name", "email", "customer__code"]
    list_select_related = ["customer"]
