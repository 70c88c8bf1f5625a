"""Forms of the public pages: what a customer may send, and how they find their request again."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .choices import FeedbackKind
from .services import ALLOWED_ATTACHMENT_TYPES, MAX_ATTACHMENTS, check_uploads, max_upload_bytes

PUBLIC_KINDS = [
    (FeedbackKind.COMPLAINT.value, "A complaint: something went wrong"),
    (FeedbackKind.COMPLIMENT.value, "A compliment: something went well"),
    (FeedbackKind.SUGGESTION.value, "A suggestion: something we could do better"),
]
# The fields passed to ``feedback_submit_public``; the form uses the service's names so that a
# ValidationError naming a field lands on that field.
SERVICE_FIELDS = (
    "kind",
    "submitter_name",
    "submitter_email",
    "submitter_phone",
    "product",
    "summary",
    "description",
)
HONEYPOT = "website"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: a list of uploads (empty when none were chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


def attachment_limits() -> dict:
    """What the page says about files, from the same numbers the service checks."""
    return {
        "max_files": MAX_ATTACHMENTS,
        "max_mb": max_upload_bytes() // (1024 * 1024),
        "types": ", ".join(sorted(ALLOWED_ATTACHMENT_TYPES)),
    }


class PublicFormMixin:
    """Bootstrap classes and accessible error wiring for every field."""

    def style_fields(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            classes = [css]
            described = [f"{name}-help"] if field.help_text else []
            if self.is_bound and name in self.errors:
                classes.append("is-invalid")
                widget.attrs["aria-invalid"] = "true"
                described.append(f"{name}-errors")
            widget.attrs["class"] = " ".join(classes)
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)
            elif "aria-describedby" in widget.attrs:
                del widget.attrs["aria-describedby"]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the field it names (or above the form)."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, message)
        else:
            for message in error.messages:
                self.add_error(None, message)
        self.style_fields()


class FeedbackSubmissionForm(PublicFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What would you like to tell us?",
        choices=PUBLIC_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose complaint, compliment or suggestion."},
    )
    submitter_name = forms.CharField(
        label="Your name", max_length=200, error_messages={"required": "Tell us your name so we can address you."}
    )
    submitter_email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="We send the reference and our answer here. We use it for nothing else.",
        error_messages={"required": "Give an e-mail address so we can answer you."},
    )
    submitter_phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    product = forms.CharField(
        label="Product or service (optional)",
        max_length=200,
        required=False,
        help_text="For example an order number or the product's name.",
    )
    summary = forms.CharField(
        label="In a few words, what is it about?",
        max_length=200,
        error_messages={"required": "Say in a few words what it is about."},
    )
    description = forms.CharField(
        label="Tell us more",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text="What happened, when, and what you would like us to do.",
        error_messages={"required": "Tell us what happened."},
    )
    attachments = MultipleFileField(label="Files (optional)", required=False)
    # Hidden from people (off-screen, aria-hidden, no tab stop); bots fill every field they see.
    website = forms.CharField(label="Leave this field empty", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = attachment_limits()
        self.fields[
            "attachments"
        ].help_text = (
            f"Up to {limits['max_files']} files, each at most {limits['max_mb']} MB. Accepted types: {limits['types']}."
        )
        self.fields["attachments"].widget.attrs["accept"] = ",".join(sorted(ALLOWED_ATTACHMENT_TYPES))
        self.fields["submitter_name"].widget.attrs["autocomplete"] = "name"
        self.fields["submitter_email"].widget.attrs["autocomplete"] = "email"
        self.fields["submitter_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["submitter_phone"].widget.input_type = "tel"
        self.fields[HONEYPOT].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.style_fields()  # a bound form is styled once validated (full_clean)

    def style_fields(self) -> None:
        super().style_fields()
        if self.is_bound and self.errors:
            # The page then says that chosen files must be chosen again (files are never re-shown).
            widget = self.fields["attachments"].widget
            widget.attrs["aria-describedby"] = " ".join(
                filter(None, [widget.attrs.get("aria-describedby", ""), "attachments-note"])
            )

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            self.style_fields()

    def clean_summary(self) -> str:
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise ValidationError("Say in a few words what it is about.")
        return summary

    def clean_attachments(self) -> list:
        uploads = self.cleaned_data.get("attachments") or []
        try:
            check_uploads(uploads, field="attachments")
        except ValidationError as error:
            raise ValidationError(error.message_dict["attachments"]) from error
        return uploads

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in SERVICE_FIELDS}


def honeypot_filled(data) -> bool:
    return bool((data.get(HONEYPOT) or "").strip())


class StatusLookupForm(PublicFormMixin, forms.Form):
    reference = forms.CharField(
        label="Reference",
        max_length=20,
        help_text="As in the e-mail we sent you, for example CMP-2026-00017.",
    )
    email = forms.EmailField(label="The e-mail address you gave us", max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        if not self.is_bound:
            self.style_fields()

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            self.style_fields()

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()
