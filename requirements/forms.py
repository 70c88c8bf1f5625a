"""Forms of the requirements register: they check shape; the services check meaning."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from qms.accounts.people import use_people
from qms.accounts.roles import ROLE_NAMES
from qms.core.lookups import use_lookup
from qms.core.widgets import DATE_INPUT

from .choices import EvaluationResult
from .models import Attachment, ContextIssue, Evaluation, InterestedParty, Requirement


class InstanceForm(forms.Form):
    """A plain form the shared RegisterFormView can build like a ModelForm (it passes ``instance``)."""

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)


class InterestedPartyForm(forms.ModelForm):
    class Meta:
        model = InterestedParty
        fields = ["name", "kind", "customer", "relevance", "needs", "review_date"]
        widgets = {"needs": forms.Textarea(attrs={"rows": 4}), "review_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_lookup(self.fields["customer"], "customers")


class ContextIssueForm(forms.ModelForm):
    class Meta:
        model = ContextIssue
        fields = ["scope", "title", "description", "effect", "review_date"]
        labels = {"scope": "Internal or external"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "effect": forms.Textarea(attrs={"rows": 3}),
            "review_date": DATE_INPUT,
        }


class RequirementForm(forms.ModelForm):
    reference_prefix = forms.CharField(
        required=False,
        max_length=10,
        label="Reference prefix",
        help_text="Used when the reference is left empty, e.g. REQ gives REQ-0042.",
    )

    class Meta:
        model = Requirement
        fields = [
            "reference",
            "reference_prefix",
            "title",
            "text",
            "kind",
            "status",
            "customer",
            "party",
            "legal_reference",
            "jurisdiction",
            "authority",
            "applicability",
            "owner",
            "criticality",
            "review_frequency_months",
            "next_review_date",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 6}), "next_review_date": DATE_INPUT}
        help_texts = {
            "legal_reference": "Needed for statutory and regulatory requirements, "
            "e.g. Regulation (EU) 2017/745, Art. 10.",
            "jurisdiction": "Needed for statutory and regulatory requirements, e.g. European Union.",
            "customer": "Needed for customer requirements (contractual, specified, implied).",
            "text": "Changing the title or text of an active requirement makes a new version, "
            "which everyone assigned acknowledges again.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].required = False
        use_people(self.fields["owner"])
        self.fields["customer"].empty_label = "No customer"
        use_lookup(self.fields["customer"], "customers")
        self.fields["party"].empty_label = "No interested party"
        if self.instance.pk:
            del self.fields["reference_prefix"]
        else:
            self.fields["reference_prefix"].initial = getattr(settings, "QMS_REQUIREMENT_PREFIX", "REQ")

    def clean_reference(self):
        return (self.cleaned_data.get("reference") or "").strip().upper()

    def clean_reference_prefix(self):
        prefix = (self.cleaned_data.get("reference_prefix") or "").strip().upper()
        if prefix and not (prefix[0].isalpha() and prefix.isalnum()):
            raise forms.ValidationError("Use capital letters and digits only, starting with a letter, e.g. REQ.")
        return prefix

    def _get_validation_exclusions(self):
        # An empty reference is numbered by the service; the model need not check it here.
        exclude = super()._get_validation_exclusions()
        if not self.cleaned_data.get("reference"):
            exclude.add("reference")
        return exclude


class AssignmentForm(InstanceForm):
    user = forms.ModelChoiceField(queryset=None, required=False, label="Person", empty_label="—")
    group = forms.ModelChoiceField(queryset=None, required=False, label="Role", empty_label="—")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_people(self.fields["user"])
        self.fields["user"].help_text = "Choose one person, or one role (everyone who holds it)."
        self.fields["group"].queryset = Group.objects.filter(name__in=ROLE_NAMES).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("user")) == bool(cleaned.get("group")):
            raise forms.ValidationError({"user": "Choose either one person or one role."})
        return cleaned


class EvaluationForm(InstanceForm):
    """An evaluation and, when the result is "not met", the corrective action it asks for."""

    evaluated_on = forms.DateField(label="Evaluated on", widget=DATE_INPUT)
    result = forms.ChoiceField(choices=[("", "—"), *EvaluationResult.choices])
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence_link = forms.URLField(required=False, max_length=500, label="Evidence link", assume_scheme="https")
    next_due_date = forms.DateField(required=False, label="Next evaluation due", widget=DATE_INPUT)
    action_title = forms.CharField(
        required=False, max_length=200, label="Corrective action", help_text="Needed when the result is “not met”."
    )
    action_owner = forms.ModelChoiceField(queryset=None, required=False, label="Action owner", empty_label="—")
    action_due_date = forms.DateField(required=False, label="Action due date", widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluated_on"].initial = timezone.localdate()
        use_people(self.fields["action_owner"])
        use_lookup(self.fields["action_owner"], "people")  # a search, not every user in the organisation

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") == EvaluationResult.NOT_MET and cleaned.get("action_title"):
            if not cleaned.get("action_owner"):
                self.add_error("action_owner", "Say who owns the corrective action.")
            if not cleaned.get("action_due_date") and "action_due_date" not in self.errors:
                self.add_error("action_due_date", "Say by when the corrective action is due.")
        return cleaned

    def evaluation_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("evaluated_on", "result", "findings", "evidence_link")} | {
            "next_due_date": self.cleaned_data["next_due_date"]
        }

    def action_data(self) -> dict | None:
        if not self.cleaned_data.get("action_title"):
            return None
        return {
            "title": self.cleaned_data["action_title"],
            "owner": self.cleaned_data["action_owner"],
            "due_date": self.cleaned_data["action_due_date"],
        }


class AttachmentForm(InstanceForm):
    kind = forms.ChoiceField(choices=Attachment.Kind.choices, initial=Attachment.Kind.OTHER, label="Type of document")
    file = forms.FileField(
        label="File",
        help_text="PDF, Word, Excel, OpenDocument, text, CSV or an image; at most "
        f"{settings.QMS_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.odt,.ods,.txt,.csv,.png,.jpg,.jpeg"}),
    )
    evaluation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Evidence for evaluation",
        empty_label="None: a document about the requirement",
        help_text="Choose an evaluation when the file is evidence of its result.",
    )

    def __init__(self, *args, requirement=None, **kwargs):
        super().__init__(*args, **kwargs)
        evaluations = requirement.evaluations.order_by("-evaluated_on") if requirement else Evaluation.objects.none()
        self.fields["evaluation"].queryset = evaluations
        self.fields["evaluation"].label_from_instance = lambda evaluation: (
            f"{evaluation.evaluated_on:%Y-%m-%d}: {evaluation.get_result_display()}"
        )
