"""Forms of the management-review pages: they check shape; the services check meaning."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from qms.accounts.people import use_people
from qms.core.widgets import DATE_INPUT

from .choices import QUESTIONS, OutputKind, SummaryKind
from .models import Review


class ReviewForm(forms.ModelForm):
    """Plan or edit a review: date, chair, attendees, the period it covers, minutes."""

    class Meta:
        model = Review
        fields = ("review_date", "chair", "attendees", "other_attendees", "period_start", "period_end", "minutes")
        widgets = {
            "review_date": DATE_INPUT,
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "other_attendees": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 4}),
            "attendees": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "chair": "Approves the review with their password; usually top management.",
            "attendees": "Hold Ctrl (Cmd on a Mac) to choose several.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chair", "attendees"):
            use_people(self.fields[name])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after the day it starts.")
        return cleaned


class HoldForm(forms.Form):
    """The answers to the three questions (all required) and the minutes of the meeting."""

    done_well = forms.CharField(label=QUESTIONS["done_well"], widget=forms.Textarea(attrs={"rows": 3}))
    to_improve = forms.CharField(label=QUESTIONS["to_improve"], widget=forms.Textarea(attrs={"rows": 3}))
    switch_risk = forms.CharField(label=QUESTIONS["switch_risk"], widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label="Notes and minutes", widget=forms.Textarea(attrs={"rows": 5}), required=False)


class OutputForm(forms.Form):
    """A decision of the review; an owner and due date also raise an action."""

    kind = forms.ChoiceField(choices=OutputKind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="What was found or proposed.")
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="What the review decided.")
    action_title = forms.CharField(
        label="Action title", max_length=200, required=False, help_text="Leave the action fields empty for no action."
    )
    action_owner = forms.ModelChoiceField(
        label="Action owner", queryset=get_user_model().objects.none(), required=False
    )
    action_due_date = forms.DateField(label="Action due date", widget=DATE_INPUT, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_people(self.fields["action_owner"])


class ApproveForm(forms.Form):
    """The chair's password, asked again to sign."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Signing records your name, the time and a fingerprint of the review as approved.",
    )


class SummaryScheduleForm(forms.Form):
    """When one scheduled summary is sent (the service checks the day's range)."""

    enabled = forms.BooleanField(label="Send it", required=False)
    day = forms.ChoiceField()
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, kind: str, **kwargs):
        from .schedules import WEEKDAYS

        super().__init__(*args, **kwargs)
        self.fields["time"].help_text = f"In the portal's time zone ({settings.TIME_ZONE})."
        if kind == SummaryKind.MONTHLY:
            self.fields["day"].choices = [(str(day), str(day)) for day in range(1, 29)]
            self.fields["day"].label = "Day of the month"
            self.fields["day"].help_text = "1 to 28, so that every month has it; it covers the month before."
        else:
            self.fields["day"].choices = WEEKDAYS
            self.fields["day"].label = "Day of the week"
            self.fields["day"].help_text = "It covers the Monday-to-Sunday week before."
