"""Pages of the customer register: list, detail, forms, contacts, import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from qms.core.importing import plan_import, read_table
from qms.core.views import (
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    RegisterViewMixin,
    attach_errors,
)

from . import selectors, services
from .filters import CustomerFilterSet
from .forms import ContactForm, CustomerForm, ImportUploadForm
from .models import Contact, Customer

IMPORT_COLUMNS = ["code", "name", "segment", "status", "country", "account_owner", "notes"]
IMPORT_SESSION_KEY = "customers:import"


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


class CustomerUpdateView(RegisterFormView):
    model = Customer
    form_class = CustomerForm
    permission_action = "change"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_title(self):
        return f"Edit customer {self.object}"

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def save(self, form):
        return services.customer_update(actor=self.request.user, customer=self.object, data=form.cleaned_data)


class CustomerDeleteView(RegisterDeleteView):
    model = Customer

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

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


class CustomerImportView(RegisterViewMixin, TemplateView):
    """Step 1 uploads and previews (nothing saved); step 2 confirms and applies the valid rows."""

    model = Customer
    permission_action = "import"
    template_name = "customers/customer_import.html"

    def _plan(self, records):
        return plan_import(
            records,
            columns=IMPORT_COLUMNS,
            required=["code", "name"],
            key="code",
            validate_row=services.customer_import_validate_row,
        )

    def get(self, request, *args, **kwargs):
        request.session.pop(IMPORT_SESSION_KEY, None)
        return self.render_to_response(self.get_context_data(form=ImportUploadForm()))

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self._confirm(request)
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            records = read_table(form.cleaned_data["file"])
            plan = self._plan(records)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        request.session[IMPORT_SESSION_KEY] = {"records": records, "filename": form.cleaned_data["file"].name}
        return self.render_to_response(
            self.get_context_data(
                plan=plan,
                filename=form.cleaned_data["file"].name,
                create_count=plan.count("create"),
                update_count=plan.count("update"),
            )
        )

    def _confirm(self, request):
        stored = request.session.get(IMPORT_SESSION_KEY)
        if not stored:
            messages.error(request, "The import preview has expired. Upload the file again.")
            return redirect("customers:customer_import")
        plan = self._plan(stored["records"])
        if not plan.valid_rows:
            messages.error(request, "No row of this file is valid, so nothing was imported.")
            return redirect("customers:customer_import")
        counts = services.customer_import(actor=request.user, plan=plan)
        del request.session[IMPORT_SESSION_KEY]
        skipped = len(plan.invalid_rows)
        messages.success(
            request,
            f"Import of {stored['filename']} done: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged" + (f", {skipped} invalid row(s) skipped." if skipped else "."),
        )
        return redirect("customers:customer_list")
