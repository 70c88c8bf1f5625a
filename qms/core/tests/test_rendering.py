"""Select boxes written in Python are the markup Django's templates write, byte for byte."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from qms.core.rendering import PortalFormRenderer, render_select


class _Options(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "Alpha"), ("b&c", 'B & "C" <x>'), (3, "Three")])
    grouped = forms.ChoiceField(
        choices=[
            ("Fruit", [("apple", "Apple"), ("pear", "Pear")]),
            ("Other", [("x", gettext_lazy("Lazy"))]),
            ("z", "Z"),
        ]
    )
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two"), ("3", "Three")], required=False)
    safe_label = forms.ChoiceField(choices=[("s", mark_safe("<b>bold</b>")), ("t", "<b>not bold</b>")])
    flagged = forms.ChoiceField(
        choices=[("on", "On")],
        widget=forms.Select(attrs={"disabled": True, "data-hidden": False, "class": 'a "quoted" class', "data-n": 5}),
    )


def _both(form, name):
    """The field as the form renders it, and the same widget through Django's own templates."""
    field = form[name]
    attrs = field.build_widget_attrs({"id": field.auto_id})
    widget = field.field.widget
    return (
        widget.render(field.html_name, field.value(), attrs=attrs, renderer=PortalFormRenderer()),
        widget.render(field.html_name, field.value(), attrs=attrs, renderer=DjangoTemplates()),
    )


@pytest.mark.parametrize("name", ["plain", "grouped", "many", "safe_label", "flagged"])
@pytest.mark.parametrize("data", [None, {"plain": "b&c", "grouped": "x", "many": ["1", "3"], "safe_label": "s"}])
def test_select_markup_matches_djangos_templates(settings, name, data):
    settings.FORM_RENDERER = "qms.core.rendering.PortalFormRenderer"
    form = _Options(data=data, renderer=PortalFormRenderer())
    fast, templated = _both(form, name)
    assert fast == templated
    assert fast.startswith("<select")


def test_selected_options_and_escaping_are_kept():
    form = _Options(data={"plain": "b&c", "many": ["1", "3"]}, renderer=PortalFormRenderer())
    plain = form["plain"].as_widget()
    assert '<option value="b&amp;c" selected>B &amp; &quot;C&quot; &lt;x&gt;</option>' in plain
    many = form["many"].as_widget()
    assert "multiple" in many and many.count(" selected>") == 2
    assert "<b>bold</b>" in form["safe_label"].as_widget()
    assert "&lt;b&gt;not bold&lt;/b&gt;" in form["safe_label"].as_widget()
    flagged = form["flagged"].as_widget()
    assert " disabled" in flagged and "data-hidden" not in flagged and 'class="a &quot;quoted&quot; class"' in flagged


@pytest.mark.django_db
def test_model_choices_match_djangos_templates():
    Group.objects.create(name="Quality <team>")

    class _GroupForm(forms.Form):
        group = forms.ModelChoiceField(queryset=Group.objects.order_by("name"), empty_label="Any role")

    form = _GroupForm(renderer=PortalFormRenderer())
    fast, templated = _both(form, "group")
    assert fast == templated
    assert "Quality &lt;team&gt;" in fast


def test_an_option_with_its_own_template_goes_through_the_templates():
    class _Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = _Custom(choices=[("a", "A")])
    assert render_select(widget.get_context("x", "a", {})["widget"]) is None
    assert widget.render("x", "a", renderer=PortalFormRenderer()) == widget.render("x", "a", renderer=DjangoTemplates())


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    get_default_renderer.cache_clear()
    try:
        assert isinstance(get_default_renderer(), PortalFormRenderer)
    finally:
        get_default_renderer.cache_clear()


def test_status_and_severity_badges_name_the_choice_in_its_style():
    from feedback.models import FeedbackItem
    from feedback.templatetags.feedback_badges import severity_badge, status_badge
    from risks.models import RiskEntry
    from risks.templatetags.risks import status_badge as entry_status_badge

    item = FeedbackItem(status="received", severity="critical")
    assert status_badge(item) == '<span class="badge text-bg-warning">Received</span>'
    assert severity_badge(item) == '<span class="badge text-bg-danger">Critical</span>'
    item.severity = "low"
    assert severity_badge(item) == '<span class="badge text-bg-light border">Low</span>'
    item.severity = ""
    assert severity_badge(item) == '<span class="text-body-secondary">Not assessed</span>'
    item.status = "response_proposed"
    assert status_badge(item) == f'<span class="badge text-bg-primary">{item.get_status_display()}</span>'
    entry = RiskEntry(status="closed")
    assert entry_status_badge(entry) == '<span class="badge text-bg-secondary">Closed</span>'


@pytest.mark.django_db
def test_register_rows_link_the_first_column_and_escape_every_value():
    from customers.tests.factories import CustomerFactory
    from qms.core.templatetags.portal import register_rows

    customer = CustomerFactory(code="ESC-1", name='<b>Bold</b> & "Co"', segment="sme", country="FR")
    html = register_rows([customer], [("code", "Code"), ("name", "Name"), ("segment", "Segment"), ("country", "C")])
    assert html == (
        f'<tr><td class="text-nowrap"><a href="/customers/{customer.pk}/">ESC-1</a></td>'
        "<td>&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Co&quot;</td><td>Small and medium business</td><td>France</td></tr>"
    )
    assert register_rows([], [("code", "Code")]) == ""


_INPUTS = [
    forms.TextInput(attrs={"class": 'a "quoted" class', "disabled": True, "data-off": False, "maxlength": 20}),
    forms.EmailInput(),
    forms.NumberInput(attrs={"step": "0.01"}),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.CheckboxInput(),
    forms.URLInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    forms.TimeInput(),
]


@pytest.mark.parametrize("widget", _INPUTS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize(
    "value",
    [None, "", 'a "b" <c> & d', 0, True, mark_safe("<i>safe</i>"), __import__("datetime").date(2026, 12, 7)],
)
def test_input_markup_matches_djangos_templates(widget, value):
    attrs = {"id": "id_x", "required": True}
    fast = widget.render("x&y", value, attrs=attrs, renderer=PortalFormRenderer())
    assert fast == widget.render("x&y", value, attrs=attrs, renderer=DjangoTemplates())
    assert fast.startswith("<input") and 'name="x&amp;y"' in fast


def test_a_form_field_renders_escaped_through_the_portal_renderer():
    class _Text(forms.Form):
        title = forms.CharField(max_length=10)

    html = _Text(data={"title": '"><script>x</script>'}, renderer=PortalFormRenderer())["title"].as_widget()
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html and "<script>" not in html
    assert 'maxlength="10"' in html and "required" in html
