from __future__ import annotations

from qms.core.api import RegisterViewSet

from .. import selectors, services
from ..filters import ContactFilterSet, CustomerFilterSet
from ..models import Contact, Customer
from .serializers import ContactSerializer, CustomerSerializer


class CustomerViewSet(RegisterViewSet):
    """Customers: list (search ``q``, filters, ``ordering``), read, create, update, delete."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["code", "name", "segment", "status", "country", "created_at", "updated_at"]
    ordering = ["name"]
    list_related_columns = {"account_owner": ("username",)}

    def restricted_queryset(self, action):
        return selectors.customer_list(user=self.request.user, action=action).order_by("name", "pk")

    def _fresh(self, customer: Customer) -> Customer:
        # The answer carries the contact count, computed by the selector, not by the service.
        return self.restricted_queryset("view").get(pk=customer.pk)

    def create_record(self, data):
        return self._fresh(services.customer_create(actor=self.request.user, data=data))

    def update_record(self, instance, data):
        return self._fresh(services.customer_update(actor=self.request.user, customer=instance, data=data))

    def delete_record(self, instance):
        services.customer_delete(actor=self.request.user, customer=instance)


class ContactViewSet(RegisterViewSet):
    """Contacts at customers; ``survey_opt_out`` contacts never receive surveys."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    ordering_fields = ["name", "email", "created_at"]
    ordering = ["name"]

    def restricted_queryset(self, action):
        return selectors.contact_list(user=self.request.user, action=action).order_by("name", "pk")

    def create_record(self, data):
        data = dict(data)
        customer = data.pop("customer")
        return services.contact_create(actor=self.request.user, customer=customer, data=data)

    def update_record(self, instance, data):
        return services.contact_update(actor=self.request.user, contact=instance, data=data)

    def delete_record(self, instance):
        services.contact_delete(actor=self.request.user, contact=instance)
