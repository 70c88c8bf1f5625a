"""Pages of the customer register: list, detail, forms, contacts, import."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import ngettext

from qms.core.views import (
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterImportView,
    RegisterListView,
    RegisterUpdateView,
)

from . import selectors, services
from .filters import CustomerFilterSet
from .forms import ContactForm, CustomerForm, ImportUploadForm
from .models import Contact, Customer

IMPORT_COLUMNS = ["code", "name", "segment", "status", "country", "account_owner", "notes"]


def _contact_consequences(count: int) -> list[str]:
    if not count:
        return []
    return [
        ngettext("Its contact will be deleted with it.", "Its %(count)d contacts will be deleted with it.", count)
        % {"count": count}
    ]


class CustomerListView(RegisterListView):
    model = Customer
    filterset_class = CustomerFilterSet
    columns = [
        ("code", "Code"),
        ("name", "Name"),
        ("segment", "Segment"),
        ("status", "Status"),
        ("country", "Country"),
        ("account_owner.display_name", "Account owner"),
        ("contact_count", "Contacts"),
    ]
    sortable = {
        "code": "code",
        "name": "name",
        "segment": "segment",
        "status": "status",
        "country": "country",
        "contact_count": "contact_count",
    }
    default_sort = "name"
    # What the page's rows show (not the notes, nor the owner's whole row).
    list_fields = (
        *("code", "name", "segment", "status", "country"),
        *("account_owner__first_name", "account_owner__last_name", "account_owner__username"),
    )
    export_columns = [
        ("code", "code"),
        ("name", "name"),
        ("segment", "segment"),
        ("status", "status"),
        # The country's name (the import reads names and codes alike).
        ("country", "country"),
        ("account_owner.username", "account_owner"),
        ("notes", "notes"),
    ]
    export_basename = "customers"
    extra_context = {"title": "Customers", "empty_hint": "Add your first customer, or import a list."}

    def base_queryset(self):
        return selectors.customer_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("customers:customer_create")
        context["import_url"] = reverse("customers:customer_import")
        return context


class CustomerDetailView(RegisterDetailView):
    model = Customer
    template_name = "customers/customer_detail.html"
    fields = [
        ("code", "Code"),
        ("name", "Name"),
        ("segment", "Segment"),
        ("status", "Status"),
        ("country", "Country"),
        ("account_owner.display_name", "Account owner"),
        ("notes", "Notes"),
        ("created_at", "Created"),
        ("updated_at", "Last changed"),
    ]

    def get_queryset(self):
        return selectors.customer_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contacts"] = self.object.contacts.all()
        # What this customer told us, as far as the user may see it (staff: what they logged or are given).
        context["feedback_count"] = self.object.feedback_items.restrict(self.request.user, "view").count()
        return context


class CustomerCreateView(RegisterFormView):
    model = Customer
    form_class = CustomerForm
    permission_action = "add"

    def get_title(self):
        return "New customer"

    def get_cancel_url(self):
        return reverse("customers:customer_list")

    def save(self, form):
        return services.customer_create(actor=self.request.user, data=form.cleaned_data)


class CustomerUpdateView(RegisterUpdateView):
    model = Customer
    form_class = CustomerForm

    def save(self, form):
        return services.customer_update(actor=self.request.user, customer=self.object, data=form.cleaned_data)


class CustomerDeleteView(RegisterDeleteView):
    model = Customer

    def consequences(self, customer):
        return _contact_consequences(customer.contacts.count())

    def delete(self, customer):
        services.customer_delete(actor=self.request.user, customer=customer)

    def get_success_url(self, customer):
        return reverse("customers:customer_list")


class ContactFormView(RegisterFormView):
    """Add a contact to a customer (no ``contact_pk``) or edit one."""

    model = Contact
    form_class = ContactForm

    def dispatch(self, request, *args, **kwargs):
        self.permission_action = "change" if "contact_pk" in kwargs else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        self.customer = get_object_or_404(Customer.objects.restrict(self.request.user, "view"), pk=self.kwargs["pk"])
        if "contact_pk" not in self.kwargs:
            return None
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["contact_pk"], customer=self.customer)

    def get_title(self):
        return f"Edit contact {self.object.name}" if self.object else f"New contact at {self.customer.name}"

    def get_cancel_url(self):
        return self.customer.get_absolute_url()

    def get_success_url(self, contact):
        return self.customer.get_absolute_url()

    def save(self, form):
        if self.object is None:
            return services.contact_create(actor=self.request.user, customer=self.customer, data=form.cleaned_data)
        return services.contact_update(actor=self.request.user, contact=self.object, data=form.cleaned_data)


class ContactDeleteView(RegisterDeleteView):
    model = Contact

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["contact_pk"], customer_id=self.kwargs["pk"])

    def delete(self, contact):
        services.contact_delete(actor=self.request.user, contact=contact)

    def get_success_url(self, contact):
        return contact.customer.get_absolute_url()


class CustomerImportView(RegisterImportView):
    model = Customer
    template_name = "customers/customer_import.html"
    columns = IMPORT_COLUMNS
    required = ["code", "name"]
    key = "code"
    upload_form_class = ImportUploadForm
    list_url_name = "customers:customer_list"

    def validate_row(self, data):
        return services.customer_import_validate_row(data)

    def apply(self, plan):
        return services.customer_import(actor=self.request.user, plan=plan)
