"""The respondent's form: one field per question, named ``q<pk>`` like the service's errors.

The form only reads what was sent; what is a valid answer (required, on the scale, a known option) is
decided by ``survey_delivery.response_submit``, whose errors land on the question they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .choices import QuestionType
from .models import Question
from .services.survey_delivery import CSAT_WORDS, MAX_TEXT_ANSWER, question_text


class _AnyValueMixin:
    """Keep whatever was posted (the service judges it), so a wrong value is shown back, not dropped."""

    def validate(self, value):
        return None

    def valid_value(self, value):
        return True


class AnswerChoiceField(_AnyValueMixin, forms.ChoiceField):
    pass


class AnswerMultipleField(_AnyValueMixin, forms.MultipleChoiceField):
    pass


def _scale_choices(question: Question) -> list[tuple[str, str]]:
    numbers = list(question.scale or [])
    if question.type == QuestionType.CSAT:
        return [(str(n), f"{n} – {CSAT_WORDS[n]}") for n in numbers]
    return [(str(n), str(n)) for n in numbers]


class SurveyResponseForm(forms.Form):
    def __init__(self, questions: list[Question], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            label = question_text(question)
            if question.scale is not None:
                # NPS and ratings are a row of buttons; CSAT a list of worded options.
                css = "form-check-input" if question.type == QuestionType.CSAT else "btn-check"
                widget = forms.RadioSelect(attrs={"class": css, "autocomplete": "off"})
                field = AnswerChoiceField(label=label, choices=_scale_choices(question), widget=widget)
            elif question.type == QuestionType.SINGLE:
                choices = [(option, option) for option in question.choice_list]
                widget = forms.RadioSelect(attrs={"class": "form-check-input"})
                field = AnswerChoiceField(label=label, choices=choices, widget=widget)
            elif question.type == QuestionType.MULTIPLE:
                choices = [(option, option) for option in question.choice_list]
                widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
                field = AnswerMultipleField(label=label, choices=choices, widget=widget)
            else:
                field = forms.CharField(
                    label=label,
                    widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "maxlength": MAX_TEXT_ANSWER}),
                )
            field.required = False
            field.help_text = question.help_text
            self.fields[name] = field

    def rows(self) -> list[dict[str, Any]]:
        """What the template walks: each question with its bound field and its kind."""
        return [
            {
                "question": question,
                "field": self[f"q{question.pk}"],
                "type": question.type,
                "text": question_text(question),
            }
            for question in self.questions
        ]

    def answers(self) -> dict[int, Any]:
        answers: dict[int, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value in (None, "", []):
                continue
            answers[question.pk] = value
        return answers

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors on the questions they name (or above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            field = key if key in self.fields else None
            for message in messages:
                self.add_error(None if key == NON_FIELD_ERRORS else field, message)
