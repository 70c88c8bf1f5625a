"""``record_url``: the URL ``reverse`` gives, without resolving the pattern on every row."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse, set_script_prefix

from customers.tests.factories import CustomerFactory
from qms.core.links import record_url


def _views_of_one_integer_key(resolver=None, namespace=""):
    """The name of every view in the project whose one argument is an ``<int:…>``."""
    from django.urls.converters import IntConverter

    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _views_of_one_integer_key(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if len(converters) == 1 and isinstance(next(iter(converters.values())), IntConverter):
                yield f"{namespace}{entry.name}"


def test_every_view_of_one_integer_key_gets_the_url_reverse_gives():
    names = sorted(set(_views_of_one_integer_key()))
    assert "customers:customer_detail" in names and "feedback:item_detail" in names and len(names) > 20
    for name in names:
        for pk in (1, 7, 42, 10_000_001):
            try:
                expected = reverse(name, args=[pk])
            except NoReverseMatch:  # a view behind a namespace included twice: reverse says which
                continue
            assert record_url(name, pk) == expected, name


def test_the_script_prefix_is_kept_and_an_unsaved_record_has_no_url():
    try:
        set_script_prefix("/qms/")
        assert (
            record_url("customers:customer_detail", 5)
            == "/qms/customers/5/"
            == reverse("customers:customer_detail", args=[5])
        )
    finally:
        set_script_prefix("/")
    assert record_url("customers:customer_detail", 5) == "/customers/5/"
    with pytest.raises(NoReverseMatch):
        record_url("customers:customer_detail", None)
    with pytest.raises(NoReverseMatch):
        record_url("customers:no_such_view", 5)


@pytest.mark.django_db
def test_a_records_link_is_its_detail_page(client_for, quality):
    customer = CustomerFactory()
    assert customer.get_absolute_url() == f"/customers/{customer.pk}/"
    assert client_for(quality).get(customer.get_absolute_url()).status_code == 200
