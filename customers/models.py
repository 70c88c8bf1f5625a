"""The customer register: the organisations we serve, and the people we deal with there."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django_countries.fields import CountryField

from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet

from .choices import CustomerStatus, Segment

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9._-]{0,31}$",
    "Use 1 to 32 capital letters, digits, dots, dashes or underscores, starting with a letter or digit.",
)
DUPLICATE_CUSTOMER_CODE = "A customer with this code already exists."
DUPLICATE_CONTACT_EMAIL = "This customer already has a contact with this e-mail address."


class Customer(AuditedModel):
    """An organisation (or person) we supply. ``code`` is the key used by imports and other systems."""

    code = models.CharField(
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text="Your reference for this customer, e.g. ACME-01.",
    )
    name = models.CharField(max_length=200)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.SME)
    status = models.CharField(max_length=20, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    country = CountryField(blank=True)
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        help_text="The person accountable for this customer relationship.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("name", "code")
        permissions = [
            ("export_customer", "Can export customers"),
            ("import_customer", "Can import customers"),
        ]
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="customer_code_unique_ci",
                violation_error_message=DUPLICATE_CUSTOMER_CODE,
            )
        ]
        indexes = [
            models.Index(fields=["status", "segment"]),
            models.Index(fields=["name", "id"], name="customer_name_id_idx"),  # the register's default order
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return record_url("customers:customer_detail", self.pk)

    def clean_fields(self, exclude=None) -> None:
        # Upper-case before the field validators run: the code pattern accepts capitals only.
        if self.code:
            self.code = self.code.strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        # Checked here so the message lands on the code field (the constraint's names no field),
        # and once: with an error on code, Django skips the unique checks that involve it.
        if self.code and Customer.objects.filter(code__iexact=self.code).exclude(pk=self.pk).exists():
            raise ValidationError({"code": DUPLICATE_CUSTOMER_CODE})


class Contact(AuditedModel):
    """A person at a customer. ``survey_opt_out`` means: never send this person a survey."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    role = models.CharField(max_length=100, blank=True, help_text="e.g. Purchasing manager")
    survey_opt_out = models.BooleanField(
        "opted out of surveys", default=False, help_text="Tick if this person asked not to receive surveys."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        permissions = [("export_contact", "Can export contacts")]
        # Who sent this, by address in any case: the public form and the survey opt-out check ask.
        indexes = [models.Index(Upper("email"), name="contact_email_ci")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "email"],
                condition=~models.Q(email=""),
                name="contact_email_unique_per_customer",
                violation_error_message=DUPLICATE_CONTACT_EMAIL,
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer.code})"

    def clean(self) -> None:
        # The constraint's own error names no field; put it on the one the person must change.
        if (
            self.email
            and self.customer_id
            and Contact.objects.filter(customer_id=self.customer_id, email=self.email).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"email": DUPLICATE_CONTACT_EMAIL})

    def get_absolute_url(self) -> str:
        return record_url("customers:customer_detail", self.customer_id) + f"#contact-{self.pk}"
