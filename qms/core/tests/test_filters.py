"""PortalFilterSet: django-filter's behaviour, without rebuilding the form class on every request."""

from __future__ import annotations

import django_filters
import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory

from feedback.filters import FeedbackItemFilterSet
from qms.core.filters import PortalFilterSet

pytestmark = pytest.mark.django_db


def _groups_named_like(request):
    return Group.objects.filter(name__startswith=request.GET.get("prefix", "")).order_by("name")


class _GroupFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    like = django_filters.ModelChoiceFilter(method="pick", queryset=_groups_named_like, empty_label="Any")

    class Meta:
        model = Group
        fields = ["q", "like"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)

    def pick(self, queryset, name, value):
        return queryset.filter(pk=value.pk)


@pytest.fixture
def groups(db):
    return {name: Group.objects.create(name=name) for name in ("Alpha one", "Alpha two", "Beta one")}


def _request(**params):
    return RequestFactory().get("/", params)


def test_the_form_class_is_built_once_per_filterset_class(groups):
    first = _GroupFilterSet({"q": "a"}, request=_request())
    second = _GroupFilterSet({"q": "b"}, request=_request())
    assert type(first.form) is type(second.form)
    assert first.form is not second.form and first.form.fields["q"] is not second.form.fields["q"]
    assert type(FeedbackItemFilterSet(None).form) is not type(first.form)


def test_each_request_gets_the_record_choices_its_own_queryset_gives(groups):
    alphas = _GroupFilterSet(None, request=_request(prefix="Alpha"))
    assert [label for _value, label in alphas.form.fields["like"].choices] == ["Any", "Alpha one", "Alpha two"]
    betas = _GroupFilterSet({"like": str(groups["Alpha one"].pk)}, request=_request(prefix="Beta"))
    assert [label for _value, label in betas.form.fields["like"].choices] == ["Any", "Beta one"]
    assert not betas.is_valid() and "like" in betas.errors  # not a choice for this request
    again = _GroupFilterSet({"like": str(groups["Alpha one"].pk)}, request=_request(prefix="Alpha"))
    assert again.is_valid(), again.errors
    assert list(again.qs) == [groups["Alpha one"]]


def test_filters_are_the_filtersets_own_and_the_class_is_left_untouched(groups):
    first = _GroupFilterSet({"q": "alpha"}, request=_request())
    second = _GroupFilterSet({"q": "beta"}, request=_request())
    assert sorted(group.name for group in second.qs) == ["Beta one"]
    assert sorted(group.name for group in first.qs) == ["Alpha one", "Alpha two"]
    assert first.filters["q"] is not second.filters["q"]
    assert first.filters["q"].parent is first and second.filters["q"].filter.f is second.filters["q"]
    base = _GroupFilterSet.base_filters["like"]
    assert base.extra["queryset"] is _groups_named_like and not hasattr(base, "parent")
    assert first.filters["like"].extra is not base.extra


def test_a_bad_value_is_a_form_error_naming_the_field(groups):
    bad = _GroupFilterSet({"like": "not a number"}, request=_request())
    assert not bad.is_valid()
    assert list(bad.errors) == ["like"]


def test_fixed_choice_selects_keep_their_markup_and_record_selects_do_not(groups, monkeypatch):
    """A select of choices fixed in the code keeps its markup per value, attributes and language: the same
    markup as Django's Select, built once; a select of records is built from its queryset every time."""
    from django import forms
    from django.utils import translation

    from customers.filters import CustomerFilterSet
    from customers.models import Customer
    from qms.core.widgets import FixedChoicesSelect

    FixedChoicesSelect._kept.clear()
    built = []
    original = forms.Select.get_context
    monkeypatch.setattr(forms.Select, "get_context", lambda *args: built.append(args[1]) or original(*args))

    def country_markup(**params) -> str:
        filters = CustomerFilterSet(params, queryset=Customer.objects.all(), request=_request(**params))
        return str(filters.form["country"])

    first = country_markup()
    assert type(CustomerFilterSet(None).form.fields["country"].widget) is FixedChoicesSelect
    assert first.count("<option") > 240 and '<option value="" selected>Any country</option>' in first
    assert country_markup() == first and built == ["country"]  # kept: built once
    chosen = country_markup(country="GB")
    assert '<option value="GB" selected>United Kingdom</option>' in chosen and built == ["country"] * 2
    assert country_markup(country="GB") == chosen and country_markup() == first and len(built) == 2
    with translation.override("de"):
        country_markup()
    assert len(built) == 3  # another language: built again

    plain = forms.Select(choices=[("", "Any country"), ("GB", "United Kingdom")])
    fixed = FixedChoicesSelect(choices=plain.choices)
    assert fixed.render("country", "GB", {"id": "id_country"}) == plain.render("country", "GB", {"id": "id_country"})

    built.clear()
    for prefix in ("Alpha", "Beta", "Alpha"):
        _GroupFilterSet(None, request=_request(prefix=prefix)).form["like"].as_widget()
    assert type(_GroupFilterSet(None, request=_request()).form.fields["like"].widget) is forms.Select
    assert built == ["like"] * 3  # record selects: every time
