"""Forms of the actions pages: they check shape; the services check meaning."""

from __future__ import annotations

from django import forms

from qms.accounts.people import use_people
from qms.core.widgets import DATE_INPUT

from .models import Action
from .workflow import TRANSITION_NAMES


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["kind", "title", "description", "owner", "due_date", "check_planned_on", "check_criteria"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "check_criteria": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE_INPUT,
            "check_planned_on": DATE_INPUT,
        }
        help_texts = {
            "check_criteria": "How you will know the action worked, e.g. no repeat complaint within 3 months.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_people(self.fields["owner"])


class TransitionForm(forms.Form):
    transition = forms.ChoiceField(choices=[(name, name) for name in TRANSITION_NAMES])
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    next = forms.CharField(required=False, max_length=500)
