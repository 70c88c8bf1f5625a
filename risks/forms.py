"""Forms of the risk and opportunity log: they check shape; the services check meaning (and name the field)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from customers.models import Customer
from feedback.models import FeedbackItem
from qms.accounts.people import use_people
from qms.core.lookups import use_lookup
from qms.core.widgets import DATE_INPUT
from requirements.models import ContextIssue, InterestedParty, Requirement

from .choices import OPPORTUNITY_OPTIONS, RISK_OPTIONS, AssessmentKind, BandName, EntryKind, TreatmentOption
from .models import MAX_LEVELS, MIN_LEVELS, RiskCategory, RiskEntry, RiskMatrix

ENTRY_FIELDS = (
    "kind",
    "title",
    "description",
    "cause",
    "effect",
    "source",
    "context_issue",
    "interested_party",
    "requirements",
    "customers",
    "feedback_items",
    "category",
    "owner",
    "review_frequency_months",
    "next_review_date",
    "treatment_plan",
)
PROPOSE_FIELDS = ("kind", "title", "description", "cause", "effect", "source", "category", "customers")


class RiskEntryForm(forms.ModelForm):
    """The full form (quality managers; owners edit their own entries with it, without the owner)."""

    class Meta:
        model = RiskEntry
        fields = ENTRY_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.Textarea(attrs={"rows": 2}),
            "treatment_plan": forms.Textarea(attrs={"rows": 3}),
            "next_review_date": DATE_INPUT,
        }
        labels = {
            "review_frequency_months": "Review every (months)",
            "feedback_items": "Linked feedback",
            "context_issue": "Context issue",
        }

    def __init__(self, *args, user=None, may_change_owner: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        if "owner" in fields:
            use_people(fields["owner"])
            if not may_change_owner:
                fields["owner"].disabled = True
        if "category" in fields:
            fields["category"].queryset = RiskCategory.objects.filter(active=True)
        if "customers" in fields:
            fields["customers"].queryset = Customer.objects.order_by("name")
            fields["customers"].required = False
        if "requirements" in fields:
            fields["requirements"].queryset = Requirement.objects.order_by("reference")
            fields["requirements"].label_from_instance = lambda r: f"{r.reference} {r.title}"
        if "feedback_items" in fields:
            fields["feedback_items"].queryset = FeedbackItem.objects.order_by("-received_at")
            fields["feedback_items"].label_from_instance = lambda f: f"{f.reference} {f.summary}"
        if "context_issue" in fields:
            fields["context_issue"].queryset = ContextIssue.objects.all()
        if "interested_party" in fields:
            fields["interested_party"].queryset = InterestedParty.objects.all()
        lookups = {"requirements": "requirements", "customers": "customers", "feedback_items": "feedback"}
        for name, source in lookups.items():
            if name in fields:
                use_lookup(fields[name], source)
        if self.instance.pk:
            # The kind names the reference (RSK-/OPP-): it is fixed once the entry exists.
            fields["kind"].disabled = True


class RiskProposeForm(RiskEntryForm):
    """What staff give when they propose an entry; a quality manager scores and assigns it later."""

    class Meta(RiskEntryForm.Meta):
        fields = PROPOSE_FIELDS


class AssessmentForm(forms.Form):
    """One scoring on the active matrix: the levels are offered with their labels."""

    kind = forms.ChoiceField(choices=AssessmentKind.choices, label="Which score")
    likelihood = forms.TypedChoiceField(coerce=int, label="Likelihood")
    impact = forms.TypedChoiceField(coerce=int, label="Impact")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note (optional)")

    def __init__(self, *args, matrix: RiskMatrix | None, entry: RiskEntry | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_assess_%s"
        if matrix is None:
            return
        self.fields["likelihood"].choices = [
            (index, f"{index} – {level['label']}") for index, level in enumerate(matrix.likelihood_levels, start=1)
        ]
        self.fields["impact"].choices = [
            (index, f"{index} – {level['label']}") for index, level in enumerate(matrix.impact_levels, start=1)
        ]
        if entry is not None and not entry.is_risk:
            self.fields["impact"].label = "Benefit"
        if entry is not None and entry.inherent_score is not None:
            self.fields["kind"].initial = AssessmentKind.RESIDUAL


class StepForm(forms.Form):
    """What one workflow step asks for (the option, a reason, the review's verdict and notes)."""

    treatment_option = forms.ChoiceField(choices=(), label="Treatment option")
    target_reached = forms.TypedChoiceField(
        choices=[("", "—"), ("yes", "Yes, the target was reached"), ("no", "No, not reached")],
        coerce=lambda value: value == "yes",
        label="Target reached?",
    )
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, step, entry: RiskEntry, **kwargs):
        self.step = step
        super().__init__(*args, **kwargs)
        keep = {"comment"}
        if step.name == "start_treatment":
            keep.add("treatment_option")
            options = RISK_OPTIONS if entry.is_risk else OPPORTUNITY_OPTIONS
            # Accepting (declining) is its own step, with its reason and approval.
            choices = [
                (o.value, o.label) for o in options if o not in (TreatmentOption.ACCEPT, TreatmentOption.DECLINE)
            ]
            self.fields["treatment_option"].choices = [("", "—"), *choices]
        if step.name == "review_effectiveness":
            keep.add("target_reached")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        comment = self.fields["comment"]
        if step.name == "review_effectiveness":
            comment.label, comment.required = "Review notes", True
        elif step.comment_required:
            comment.label, comment.required = "Reason", True
        else:
            comment.label = "Comment (optional)"
        self.auto_id = f"id_{step.name}_%s"

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return {key: value for key, value in data.items() if value != "" or key == "comment"}


class TreatmentActionForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    due_date = forms.DateField(widget=DATE_INPUT)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        use_people(owner)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = RiskCategory
        fields = ("name", "active")


# The matrix ---------------------------------------------------------------------------------------

BAND_NAMES = tuple(BandName.values)
DEFAULT_COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#ef6c00", "critical": "#c62828"}


class MatrixForm(forms.Form):
    """A whole matrix in flat fields: ``likelihood_<n>``, ``impact_<n>`` (labels and descriptions),
    ``score_<l>_<i>``, and per band ``<band>_used/min/max/colour/requires_approval/rule``. ``data()``
    gives the shape ``services.matrix_save`` takes; the service checks that the whole holds together."""

    name = forms.CharField(max_length=200, initial="Risk matrix")

    def __init__(self, *args, rows: int, columns: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.columns = rows, columns
        for axis, count in (("likelihood", rows), ("impact", columns)):
            for n in range(1, count + 1):
                self.fields[f"{axis}_{n}"] = forms.CharField(max_length=60, label=f"{axis.title()} level {n}")
                self.fields[f"{axis}_{n}_description"] = forms.CharField(
                    max_length=300, required=False, label=f"{axis.title()} level {n} description"
                )
        for likelihood in range(1, rows + 1):
            for impact in range(1, columns + 1):
                self.fields[f"score_{likelihood}_{impact}"] = forms.IntegerField(
                    min_value=0, label=f"Score for likelihood {likelihood}, impact {impact}"
                )
        for band in BAND_NAMES:
            title = band.title()
            self.fields[f"{band}_used"] = forms.BooleanField(required=False, label=f"Use the {band} band")
            self.fields[f"{band}_min"] = forms.IntegerField(min_value=0, required=False, label=f"{title}: from")
            self.fields[f"{band}_max"] = forms.IntegerField(min_value=0, required=False, label=f"{title}: to")
            self.fields[f"{band}_colour"] = forms.RegexField(
                regex=r"^#[0-9a-fA-F]{6}$",
                required=False,
                label=f"{title}: colour",
                widget=forms.TextInput(attrs={"type": "color"}),
            )
            self.fields[f"{band}_requires_approval"] = forms.BooleanField(
                required=False, label=f"{title}: accepting needs top-management approval"
            )
            self.fields[f"{band}_rule"] = forms.CharField(max_length=300, required=False, label=f"{title}: rule")

    @classmethod
    def initial_for(cls, matrix: RiskMatrix | None, rows: int, columns: int) -> dict:
        """The fields' starting values from ``matrix`` (cut or padded to ``rows`` × ``columns``)."""
        initial: dict = {"name": matrix.name if matrix else "Risk matrix"}
        for axis, count in (("likelihood", rows), ("impact", columns)):
            levels = getattr(matrix, f"{axis}_levels", None) or []
            for n in range(1, count + 1):
                level = levels[n - 1] if n <= len(levels) else {}
                initial[f"{axis}_{n}"] = level.get("label", "")
                initial[f"{axis}_{n}_description"] = level.get("description", "")
        grid = matrix.scores if matrix else []
        for likelihood in range(1, rows + 1):
            for impact in range(1, columns + 1):
                try:
                    value = grid[likelihood - 1][impact - 1]
                except IndexError:
                    value = likelihood * impact
                initial[f"score_{likelihood}_{impact}"] = value
        bands = {band["name"]: band for band in (matrix.bands if matrix else [])}
        for name in BAND_NAMES:
            band = bands.get(name)
            initial[f"{name}_used"] = band is not None
            initial[f"{name}_colour"] = (band or {}).get("colour", DEFAULT_COLOURS[name])
            if band:
                initial[f"{name}_min"] = band["min"]
                initial[f"{name}_max"] = band["max"]
                initial[f"{name}_requires_approval"] = band.get("requires_approval", False)
                initial[f"{name}_rule"] = band.get("rule", "")
        return initial

    def clean(self):
        cleaned = super().clean()
        for band in BAND_NAMES:
            if cleaned.get(f"{band}_used"):
                for part in ("min", "max"):
                    if cleaned.get(f"{band}_{part}") is None and f"{band}_{part}" not in self.errors:
                        self.add_error(f"{band}_{part}", "Give the band's range.")
        return cleaned

    def data_for_service(self) -> dict:
        cleaned = self.cleaned_data
        levels = {
            axis: [
                {"label": cleaned[f"{axis}_{n}"].strip(), "description": cleaned[f"{axis}_{n}_description"].strip()}
                for n in range(1, count + 1)
            ]
            for axis, count in (("likelihood", self.rows), ("impact", self.columns))
        }
        scores = [
            [cleaned[f"score_{likelihood}_{impact}"] for impact in range(1, self.columns + 1)]
            for likelihood in range(1, self.rows + 1)
        ]
        bands = [
            {
                "name": name,
                "min": cleaned[f"{name}_min"],
                "max": cleaned[f"{name}_max"],
                "colour": cleaned.get(f"{name}_colour") or DEFAULT_COLOURS[name],
                "requires_approval": bool(cleaned.get(f"{name}_requires_approval")),
                "rule": cleaned.get(f"{name}_rule", ""),
            }
            for name in BAND_NAMES
            if cleaned.get(f"{name}_used")
        ]
        return {
            "name": cleaned["name"],
            "likelihood_levels": levels["likelihood"],
            "impact_levels": levels["impact"],
            "scores": scores,
            "bands": bands,
        }


def matrix_size(value, default: int) -> int:
    """A level count from the query string or form, kept within what a matrix may have."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, MIN_LEVELS), MAX_LEVELS)


KIND_CHOICES = EntryKind.choices
