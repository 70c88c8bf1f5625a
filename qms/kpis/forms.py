"""Forms of the KPI pages: they check shape; the services check meaning and permission."""

from __future__ import annotations

import copy
import datetime as dt

from django import forms
from django.utils import timezone

from qms.accounts.people import use_people
from qms.core.widgets import DATE_INPUT

from .figures import PRODUCT, REGISTRY, SEGMENT, figure_choices
from .models import Kpi, Objective
from .periods import add_periods, period_label, period_start
from .selectors import segment_choices
from .services import KPI_FIELDS

PAST_PERIODS = 24


def figure_help(kind: str) -> str:
    """Which registered figures take a ``kind`` ("segment" or "product") filter, for the form's help text."""
    labels = sorted(figure.label for figure in REGISTRY.values() if kind in figure.filters)
    return f"Only for these figures: {', '.join(labels) or 'none'}."


class CopiedInstanceModelForm(forms.ModelForm):
    """Validates against a copy of the record: the service compares the stored record with the new values
    (and writes the audit's before/after), so the form must not change it in place."""

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=copy.copy(instance) if instance is not None else None, **kwargs)


class KpiForm(CopiedInstanceModelForm):
    figure = forms.ChoiceField(required=False, help_text="Required for a computed KPI; empty for an entered one.")
    segment = forms.ChoiceField(required=False)

    class Meta:
        model = Kpi
        fields = list(KPI_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_people(self.fields["owner"])
        self.fields["figure"].choices = [("", "— none (entered KPI) —"), *figure_choices()]
        self.fields["segment"].choices = [("", "Every segment"), *segment_choices()]
        self.fields["segment"].help_text = "Only this customer segment. " + figure_help(SEGMENT)
        self.fields["product"].help_text = "Only this product or service. " + figure_help(PRODUCT)


def period_choices(kpi: Kpi, today: dt.date | None = None) -> list[tuple[str, str]]:
    """The current period and the previous 24 of the KPI's frequency, newest first."""
    current = period_start(today or timezone.localdate(), kpi.frequency)
    starts = [add_periods(current, -offset, kpi.frequency) for offset in range(PAST_PERIODS + 1)]
    return [(start.isoformat(), period_label(start, kpi.frequency)) for start in starts]


class ValueForm(forms.Form):
    period_start = forms.TypedChoiceField(
        label="Period", coerce=dt.date.fromisoformat, help_text="A period that already has a value is corrected."
    )
    value = forms.CharField(max_length=40, help_text="A number; 87.5, 87,5 and 87.5 % are all read as 87.5.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Where it comes from.")

    def __init__(self, *args, kpi: Kpi, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = period_choices(kpi)
        if kpi.unit:
            self.fields["value"].label = f"Value ({kpi.unit})"


class OrderVolumeForm(forms.Form):
    month = forms.DateField(
        label="Month",
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    orders = forms.IntegerField(label="Orders delivered", min_value=0)


class ObjectiveForm(CopiedInstanceModelForm):
    class Meta:
        model = Objective
        fields = ["statement", "owner", "target_date", "status_override", "override_reason"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "target_date": DATE_INPUT,
            "override_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_people(self.fields["owner"])
        self.fields["status_override"].choices = [
            ("", "Derived from the KPIs"),
            *self.fields["status_override"].choices[1:],
        ]


class MeasureForm(forms.Form):
    """One KPI measuring the objective, with the objective's own target (the KPI's when empty)."""

    kpi = forms.ModelChoiceField(queryset=Kpi.objects.none(), required=False, label="KPI", empty_label="— none —")
    target = forms.DecimalField(
        required=False, max_digits=14, decimal_places=2, label="Target", help_text="Empty: the KPI's own target."
    )

    def __init__(self, *args, kpis=None, kpi_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = kpis if kpis is not None else Kpi.objects.order_by("name")
        if kpi_choices is not None:
            # The same options in every row, read once for the whole formset (the queryset still validates).
            self.fields["kpi"].choices = kpi_choices


def measure_form_kwargs(kpis) -> dict:
    """``form_kwargs`` for ``MeasureFormSet``: the KPIs, and their options read in one query for all rows."""
    return {"kpis": kpis, "kpi_choices": [("", "— none —"), *((kpi.pk, str(kpi)) for kpi in kpis)]}


class BaseMeasureFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            kpi = form.cleaned_data.get("kpi")
            if kpi is None:
                if form.cleaned_data.get("target") is not None:
                    form.add_error("kpi", "Pick the KPI this target is for.")
                continue
            if kpi.pk in seen:
                form.add_error("kpi", "Each KPI can measure the objective once.")
            seen.add(kpi.pk)

    def measures(self) -> list[dict]:
        return [
            {"kpi": form.cleaned_data["kpi"], "target": form.cleaned_data.get("target")}
            for form in self.forms
            if form.cleaned_data.get("kpi") is not None
        ]


MeasureFormSet = forms.formset_factory(MeasureForm, formset=BaseMeasureFormSet, extra=3, max_num=50, validate_max=True)
