"""Pages of the customer register: list, detail, forms, contacts, import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from qms.core.importing import plan_import, read_table
from qms.core.views import RegisterDetailView, RegisterListView, RegisterViewMixin

from . import selectors, services
from .filters import CustomerFilterSet
from .forms import ContactForm, CustomerForm, ImportUploadForm
from .models import Contact, Customer

IMPORT_COLUMNS = ["code", "name", "segment", "status", "country", "account_owner", "notes"]
IMPORT_SESSION_KEY = "customers:import"


def _form_errors_to_form(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form, on the field it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


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


class CustomerFormMixin(RegisterViewMixin):
    model = Customer
    template_name = "core/form.html"

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": self.title,
                "cancel_url": self.cancel_url(),
                "opts": Customer._meta,
            },
            status=status,
        )


class CustomerCreateView(CustomerFormMixin, View):
    permission_action = "add"
    title = "New customer"

    def cancel_url(self):
        return reverse("customers:customer_list")

    def get(self, request):
        return self.render_form(CustomerForm())

    def post(self, request):
        form = CustomerForm(request.POST)
        if form.is_valid():
            try:
                customer = services.customer_create(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                _form_errors_to_form(form, exc)
            else:
                messages.success(request, f"Customer {customer} was created.")
                return redirect(customer)
        return self.render_form(form, status=400)


class CustomerUpdateView(CustomerFormMixin, View):
    permission_action = "change"

    def dispatch(self, request, *args, **kwargs):
        self.title = "Edit customer"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def cancel_url(self):
        return reverse("customers:customer_detail", args=[self.kwargs["pk"]])

    def get(self, request, pk):
        return self.render_form(CustomerForm(instance=self.get_object()))

    def post(self, request, pk):
        customer = self.get_object()
        form = CustomerForm(request.POST, instance=customer)
        if form.is_valid():
            try:
                services.customer_update(actor=request.user, customer=customer, data=form.cleaned_data)
            except ValidationError as exc:
                _form_errors_to_form(form, exc)
            else:
                messages.success(request, f"Customer {customer} was saved.")
                return redirect(customer)
        return self.render_form(form, status=400)


class CustomerDeleteView(RegisterViewMixin, View):
    model = Customer
    permission_action = "delete"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request, pk):
        customer = self.get_object()
        return render(
            request,
            "core/confirm_delete.html",
            {
                "object": customer,
                "opts": Customer._meta,
                "consequences": _contact_consequences(customer.contacts.count()),
                "cancel_url": customer.get_absolute_url(),
            },
        )

    def post(self, request, pk):
        customer = self.get_object()
        label = str(customer)
        services.customer_delete(actor=request.user, customer=customer)
        messages.success(request, f"Customer {label} was deleted.")
        return redirect("customers:customer_list")


class ContactFormView(RegisterViewMixin, View):
    """Add a contact to a customer (no ``contact_pk``) or edit one."""

    model = Contact

    def dispatch(self, request, *args, **kwargs):
        self.permission_action = "change" if "contact_pk" in kwargs else "add"
        return super().dispatch(request, *args, **kwargs)

    def _objects(self):
        customer = get_object_or_404(Customer.objects.restrict(self.request.user, "view"), pk=self.kwargs["pk"])
        contact = None
        if "contact_pk" in self.kwargs:
            contact = get_object_or_404(self.get_queryset(), pk=self.kwargs["contact_pk"], customer=customer)
        return customer, contact

    def _render(self, form, customer, contact, status=200):
        return render(
            self.request,
            "core/form.html",
            {
                "form": form,
                "opts": Contact._meta,
                "title": f"Edit contact {contact.name}" if contact else f"New contact at {customer.name}",
                "cancel_url": customer.get_absolute_url(),
            },
            status=status,
        )

    def get(self, request, pk, contact_pk=None):
        customer, contact = self._objects()
        return self._render(ContactForm(instance=contact), customer, contact)

    def post(self, request, pk, contact_pk=None):
        customer, contact = self._objects()
        form = ContactForm(request.POST, instance=contact)
        if form.is_valid():
            try:
                if contact is None:
                    contact = services.contact_create(actor=request.user, customer=customer, data=form.cleaned_data)
                else:
                    services.contact_update(actor=request.user, contact=contact, data=form.cleaned_data)
            except ValidationError as exc:
                _form_errors_to_form(form, exc)
            else:
                messages.success(request, f"Contact {contact.name} was saved.")
                return redirect(customer)
        return self._render(form, customer, contact, status=400)


class ContactDeleteView(RegisterViewMixin, View):
    model = Contact
    permission_action = "delete"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["contact_pk"], customer_id=self.kwargs["pk"])

    def get(self, request, pk, contact_pk):
        contact = self.get_object()
        return render(
            request,
            "core/confirm_delete.html",
            {
                "object": contact,
                "opts": Contact._meta,
                "consequences": [],
                "cancel_url": contact.customer.get_absolute_url(),
            },
        )

    def post(self, request, pk, contact_pk):
        contact = self.get_object()
        customer = contact.customer
        services.contact_delete(actor=request.user, contact=contact)
        messages.success(request, f"Contact {contact.name} was deleted.")
        return redirect(customer)


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
            _form_errors_to_form(form, exc)
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
