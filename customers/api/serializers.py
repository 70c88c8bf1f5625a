"""API shapes for the customer register; meaning is checked by the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from qms.core.serializers import RecordLinkField, RegisterSerializer

from ..models import Contact, Customer


class CustomerSerializer(CountryFieldMixin, RegisterSerializer):
    account_owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Username of the account owner.",
    )
    contact_count = serializers.IntegerField(read_only=True)
    url = RecordLinkField(view_name="api:customer-detail")

    class Meta:
        model = Customer
        fields = [
            "id",
            "url",
            "code",
            "name",
            "segment",
            "status",
            "country",
            "account_owner",
            "notes",
            "contact_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is checked by the model (case-insensitively) inside the service.
        extra_kwargs = {"code": {"validators": []}}


class ContactSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    customer_code = serializers.CharField(source="customer.code", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "customer_code",
            "name",
            "email",
            "phone",
            "role",
            "survey_opt_out",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []
