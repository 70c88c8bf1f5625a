"""Forms of the feedback register: they check shape; the services check meaning (and name the field)."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone

from customers.models import Contact, Customer
from qms.accounts.people import use_people
from qms.accounts.permissions import can
from qms.core.lookups import use_lookup
from qms.core.widgets import DATE_INPUT, DATETIME_INPUT
from requirements.models import Requirement

from . import services
from .choices import Acceptance
from .models import Category, FeedbackItem, Holiday, SlaTarget, WorkingWeek

TEXTAREA_ROWS = {
    "description": 4,
    "impact": 3,
    "root_cause_analysis": 4,
    "containment": 3,
    "response": 4,
    "outcome_communicated": 3,
}


def _contact_label(contact) -> str:
    return f"{contact.name} ({contact.customer.name})"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks their number, size and type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(one, initial) for one in data if one]
        return [super().clean(data, initial)] if data else []


def _attachment_help() -> str:
    types = ", ".join(sorted(ext.lstrip(".") for ext in services.ALLOWED_ATTACHMENT_TYPES))
    limit = services.max_upload_bytes() // (1024 * 1024)
    return f"Up to {services.MAX_ATTACHMENTS} files of {limit} MB at most: {types}."


class ItemFieldsForm(forms.Form):
    """A plain form over FeedbackItem's fields: it never touches the item, so the service sees the
    values before and after (a ModelForm would change the instance while validating)."""

    def __init__(self, *args, instance: FeedbackItem | None = None, field_names=(), **kwargs):
        self.instance = instance
        if instance is not None and instance.pk:
            initial = model_to_dict(instance, fields=[n for n in field_names if n != "requirements"])
            if "requirements" in field_names:
                initial["requirements"] = list(instance.requirements.values_list("pk", flat=True))
            initial.update(kwargs.pop("initial", None) or {})
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(FeedbackItem, fields=list(field_names)))
        self._tune()

    def _tune(self) -> None:
        fields = self.fields
        for name, rows in TEXTAREA_ROWS.items():
            if name in fields:
                fields[name].widget = forms.Textarea(attrs={"rows": rows})
        if "received_at" in fields:
            fields["received_at"].widget = DATETIME_INPUT
            fields["received_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if "assignee" in fields:
            use_people(fields["assignee"])
            fields["assignee"].empty_label = "Nobody yet"
        if "customer" in fields:
            fields["customer"].queryset = Customer.objects.order_by("name")
            fields["customer"].empty_label = "Not in the customer register"
            use_lookup(fields["customer"], "customers")
        if "contact" in fields:
            fields["contact"].queryset = Contact.objects.select_related("customer").order_by("name")
            fields["contact"].label_from_instance = _contact_label
            fields["contact"].empty_label = "—"
            use_lookup(fields["contact"], "contacts")
            fields["contact"].help_text = "A contact of a customer; the customer is filled in from it."
        if "category" in fields:
            current = self.instance.category_id if self.instance else None
            fields["category"].queryset = Category.objects.filter(active=True) | Category.objects.filter(pk=current)
            fields["category"].empty_label = "Not categorised yet"
        if "requirements" in fields:
            fields["requirements"].queryset = Requirement.objects.order_by("reference")
            fields["requirements"].required = False
            use_lookup(fields["requirements"], "requirements")
        if "severity" in fields:
            fields["severity"].help_text = "Sets the time targets (see Time targets)."
        for name in ("submitter_name", "submitter_email", "submitter_phone"):
            if name in fields:
                fields[name].help_text = "When the person is not in the customer register."


def log_field_names(user) -> list[str]:
    """What the quick log form asks ``user``: quality managers also assess and assign at once."""
    names = [
        "kind",
        "channel",
        "received_at",
        "customer",
        "contact",
        "submitter_name",
        "submitter_email",
        "submitter_phone",
        "summary",
        "description",
        "category",
        "product",
    ]
    if can(user, "change", FeedbackItem):
        names += ["severity", "assignee"]
    return [*names, "requirements"]


class FeedbackLogForm(ItemFieldsForm):
    """The quick form for feedback someone on staff received (phone, visit, e-mail...)."""

    attachments = MultipleFileField(label="Attachments")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, field_names=log_field_names(user), **kwargs)
        self.fields["attachments"] = self.fields.pop("attachments")
        self.fields["attachments"].help_text = _attachment_help()
        self.fields["received_at"].required = False
        self.fields["received_at"].help_text = "When the customer told us (now, if left as it is)."
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))


def edit_field_names(user, item: FeedbackItem) -> list[str]:
    """The fields ``user`` may change on ``item``: everything for quality managers, the working fields
    for the assignee, nothing for anyone else."""
    if can(user, "change", FeedbackItem, item):
        return [*services.EDIT_FIELDS, "requirements"]
    if can(user, "work", FeedbackItem, item):
        return list(services.WORK_FIELDS)
    return []


class FeedbackEditForm(ItemFieldsForm):
    def __init__(self, *args, user, instance, **kwargs):
        super().__init__(*args, instance=instance, field_names=edit_field_names(user, instance), **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "The kind cannot change once recorded."


class TransitionForm(forms.Form):
    """What one workflow step asks for: a comment, and for some steps the response or the outcome."""

    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Response to the complainant"
    )
    outcome_communicated = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Outcome communicated",
        help_text="What the complainant was told, and how.",
    )
    acceptance = forms.ChoiceField(
        choices=[("", "—"), *Acceptance.choices], required=False, label="Complainant's acceptance"
    )
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Reason to close with actions open"
    )

    def __init__(self, *args, transition, item: FeedbackItem, open_actions: bool = False, **kwargs):
        self.transition = transition
        super().__init__(*args, **kwargs)
        keep = {"comment"}
        if transition.name in ("propose_response", "resolve"):
            keep.add("response")
            self.initial.setdefault("response", item.response)
        if transition.name == "close" and item.is_complaint:
            keep |= {"outcome_communicated", "acceptance"}
            self.initial.setdefault("outcome_communicated", item.outcome_communicated)
            self.initial.setdefault("acceptance", item.acceptance)
            if open_actions:
                keep.add("override_reason")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["comment"].label = "Reason" if transition.comment_required else "Comment (optional)"
        self.fields["comment"].required = transition.comment_required
        # Distinct ids: several of these forms share the detail page.
        self.auto_id = f"id_{transition.name}_%s"

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"comment": data.get("comment", "")}
        for name in ("response", "outcome_communicated", "acceptance"):
            if name in self.fields:
                kwargs[name] = data.get(name, "")
        if "override_reason" in self.fields:
            kwargs["override_reason"] = data.get("override_reason", "")
        return kwargs


class AttachmentUploadForm(forms.Form):
    file = MultipleFileField(label="Files")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = True
        self.fields["file"].help_text = _attachment_help()


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = list(services.CATEGORY_FIELDS)


class SlaTargetForm(forms.ModelForm):
    class Meta:
        model = SlaTarget
        fields = list(services.TARGET_FIELDS)
        labels = {
            "acknowledge_days": "Acknowledge within (working days)",
            "resolve_days": "Resolve within (working days)",
            "warn_before_hours": "Warn (working hours before)",
        }


class WorkingWeekForm(forms.ModelForm):
    class Meta:
        model = WorkingWeek
        fields = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = list(services.HOLIDAY_FIELDS)
        widgets = {"date": DATE_INPUT}
