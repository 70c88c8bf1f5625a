"""Forms of the survey pages: they check shape; ``services.surveys`` checks meaning (and names the field).

Plain forms over the models' fields: they never touch the record, so the service sees it as stored
(a ModelForm would change the instance while validating).
"""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model, model_to_dict

from customers.choices import CustomerStatus, Segment
from customers.models import Customer
from qms.accounts.people import use_people
from qms.core.lookups import LookupSelectMultiple
from qms.core.widgets import DATETIME_INPUT

from .choices import CampaignStatus, TemplatePurpose
from .models import Campaign, Question, SurveySettings, SurveyTemplate
from .services.surveys import CAMPAIGN_LIVE_FIELDS


class _ModelFieldsForm(forms.Form):
    model = None
    field_names: tuple[str, ...] = ()

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        initial = {}
        if instance is not None:
            initial = model_to_dict(instance, fields=[n for n in self.field_names if n in self._plain_fields()])
        initial.update(kwargs.pop("initial", None) or {})
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(self.model, fields=list(self._plain_fields())))
        self.order_fields(self.field_names)

    def _plain_fields(self) -> tuple[str, ...]:
        return self.field_names


class SurveyTemplateForm(_ModelFieldsForm):
    model = SurveyTemplate
    field_names = ("code", "name", "purpose", "intro", "thank_you")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("intro", "thank_you"):
            self.fields[name].widget = forms.Textarea(attrs={"rows": 3})
        if self.instance is not None and (self.instance.version > 1 or self.instance.is_frozen):
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "Stays the same across versions."


class QuestionForm(_ModelFieldsForm):
    model = Question
    field_names = ("type", "text", "help_text", "required", "scale_max", "choices")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].widget = forms.Textarea(attrs={"rows": 4})
        self.fields["scale_max"].help_text = "Rating questions only: the highest number (2 to 10)."


class CampaignForm(_ModelFieldsForm):
    model = Campaign
    field_names = (
        "name",
        "template",
        "segments",
        "customer_statuses",
        "customers",
        "opens_at",
        "closes_at",
        "reminder_max",
        "reminder_after_days",
    )

    segments = forms.MultipleChoiceField(
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Customers of these segments (none ticked: any segment).",
    )
    customer_statuses = forms.MultipleChoiceField(
        label="Customer statuses",
        choices=CustomerStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Customers with these statuses (none ticked: any status).",
    )
    customers = forms.ModelMultipleChoiceField(
        label="Hand-picked customers",
        queryset=Customer.objects.order_by("name"),
        required=False,
        widget=LookupSelectMultiple("customers"),
        help_text="When customers are picked, only their contacts are asked (segments and statuses are then not used).",
    )

    def _plain_fields(self) -> tuple[str, ...]:
        return tuple(n for n in self.field_names if n not in ("segments", "customer_statuses", "customers"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["template"].queryset = SurveyTemplate.objects.filter(superseded_by__isnull=True).order_by("name")
        self.fields["template"].help_text = "The current version of a template with questions."
        self.fields["customers"].widget.attrs["size"] = 8
        for name in ("opens_at", "closes_at"):
            self.fields[name].widget = DATETIME_INPUT
        if instance is not None:
            self.initial.setdefault("segments", list(instance.segments))
            self.initial.setdefault("customer_statuses", list(instance.customer_statuses))
            self.initial.setdefault("customers", list(instance.customers.values_list("pk", flat=True)))
            if instance.status != CampaignStatus.DRAFT:
                # Sent: the audience and questions stay as people received them.
                for name, field in self.fields.items():
                    if name not in CAMPAIGN_LIVE_FIELDS:
                        field.disabled = True

    def clean(self):
        data = super().clean()
        if self.instance is not None and self.instance.status != CampaignStatus.DRAFT:
            return {name: value for name, value in data.items() if name in CAMPAIGN_LIVE_FIELDS}
        return data


class SurveySettingsForm(_ModelFieldsForm):
    model = SurveySettings
    field_names = ("post_complaint_enabled", "post_complaint_template", "follow_up_assignee")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post_complaint_template"].queryset = SurveyTemplate.objects.filter(
            purpose=TemplatePurpose.POST_COMPLAINT, superseded_by__isnull=True
        ).order_by("name")
        use_people(self.fields["follow_up_assignee"])


class ConfirmForm(forms.Form):
    """A deliberate second step before sending or closing a campaign."""

    confirm = forms.BooleanField(required=True)
