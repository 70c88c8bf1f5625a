"""Forms for the customer register: the same validation serves the pages and the import."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from qms.core.lookups import person_label

from .models import Contact, Customer


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["code", "name", "segment", "status", "country", "account_owner", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_owner"].queryset = get_user_model().objects.filter(is_active=True)
        self.fields["account_owner"].empty_label = "No owner"
        self.fields["account_owner"].label_from_instance = person_label

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "role", "survey_opt_out"]


class UsernameField(forms.CharField):
    """An account owner given by username in an import file."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        user = get_user_model().objects.filter(username__iexact=value.strip(), is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"No active user with the username “{value}”.")
        return user


class CustomerImportRowForm(CustomerForm):
    # Segment and status as text: a file may hold the value ("sme") or, as the export writes, the label.
    segment = forms.CharField(required=False, max_length=60)
    status = forms.CharField(required=False, max_length=60)
    account_owner = UsernameField(required=False, label="Account owner")
    country = forms.CharField(required=False, max_length=60)

    class Meta(CustomerForm.Meta):
        fields = ["code", "name", "segment", "status", "country", "account_owner", "notes"]

    def __init__(self, *args, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)

    def clean_segment(self):
        return self._choice("segment")

    def clean_status(self):
        return self._choice("status")

    def _choice(self, name):
        value = (self.cleaned_data.get(name) or "").strip()
        # A blank cell keeps the customer's value (or the model's default) rather than failing the row.
        if not value:
            return self.instance.pk and getattr(self.instance, name) or Customer._meta.get_field(name).default
        choices = Customer._meta.get_field(name).choices
        for key, label in choices:
            if value.lower() in (key, str(label).lower()):
                return key
        raise forms.ValidationError(f"“{value}” is not one of: {', '.join(key for key, _ in choices)}.")

    def clean_country(self):
        from django_countries import countries

        value = (self.cleaned_data.get("country") or "").strip()
        if not value:
            return ""
        code = countries.by_name(value) or (value.upper() if value.upper() in dict(countries) else "")
        if not code:
            raise forms.ValidationError(f"“{value}” is not a country; use a two-letter code such as GB or DE.")
        return code


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="First row: code, name, segment, status, country, account_owner, notes. "
        "Rows whose code already exists update that customer.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
