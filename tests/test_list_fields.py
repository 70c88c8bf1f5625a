"""A list page that reads only ``list_fields`` (``RegisterListView.page_queryset``) must still find every value
its rows show in those columns: a value left out is read by one query per row, which this catches."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.tests.factories import ContactFactory, CustomerFactory
from feedback.tests.factories import FeedbackItemFactory
from qms.actions.tests.factories import ActionFactory
from qms.core.views import RegisterListView
from requirements.tests.factories import EvaluationFactory, RequirementFactory
from risks.tests.factories import RiskCategoryFactory, RiskEntryFactory

pytestmark = pytest.mark.django_db


def _customer():
    ContactFactory(customer=CustomerFactory(account_owner=RequirementFactory().owner))


def _requirement():
    EvaluationFactory(requirement=RequirementFactory(), result="partly_met")


def _risk():
    RiskEntryFactory(category=RiskCategoryFactory())


def _action():
    ActionFactory(source=ActionFactory())


# url name -> a record as full as its row can show (owner, category, source, contacts, last result).
LISTS = {
    "customers:customer_list": _customer,
    "requirements:requirement_list": _requirement,
    "risks:entry_list": _risk,
    "actions:action_list": _action,
    "feedback:item_list": FeedbackItemFactory,
}


def _list_views_reading_fields():
    seen, found = [RegisterListView], set()
    while seen:
        for view in seen.pop().__subclasses__():
            seen.append(view)
            if view.list_fields:
                found.add(f"{view.__module__}.{view.__qualname__}")
    return found


def test_every_list_reading_fields_is_checked_here():
    from django.urls import resolve

    checked = {}
    for name in LISTS:
        view = resolve(reverse(name)).func.view_class
        checked[f"{view.__module__}.{view.__qualname__}"] = name
    assert _list_views_reading_fields() <= set(checked), "a list with list_fields has no row maker in LISTS"


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_list_reads_its_rows_values_in_its_own_query(client, quality, name, settings):
    # The people and categories the filters offer are read on each view (the factories save new ones).
    settings.FILTER_CHOICES_SECONDS = 0
    make = LISTS[name]
    make()
    client.force_login(quality)
    url = reverse(name)
    client.get(url)  # caches warmed, as in a running server
    with CaptureQueriesContext(connection) as one_row:
        first = client.get(url)
    for _ in range(3):
        make()
    with CaptureQueriesContext(connection) as more_rows:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert len(second.context["object_list"]) > len(first.context["object_list"])
    assert len(more_rows) == len(one_row), [query["sql"][:160] for query in more_rows]


# API lists that read only some columns of their joined rows (``RegisterViewSet.list_related_columns``).
API_LISTS = {
    "/api/v1/customers/": _customer,
    "/api/v1/requirements/": _requirement,
    "/api/v1/risks/": lambda: RiskEntryFactory(category=RiskCategoryFactory(), approved_by=RequirementFactory().owner),
    "/api/v1/actions/": _action,
    "/api/v1/feedback/": FeedbackItemFactory,
}


def test_every_api_list_reading_some_related_columns_is_checked_here():
    from django.urls import resolve

    from qms.core.api import RegisterViewSet

    reading = set()
    views = [RegisterViewSet]
    while views:
        for view in views.pop().__subclasses__():
            views.append(view)
            if view.list_related_columns:
                reading.add(view)
    assert reading <= {resolve(url).func.cls for url in API_LISTS}


@pytest.mark.parametrize("url", sorted(API_LISTS))
def test_an_api_list_reads_its_rows_values_in_its_own_query(client, quality, url):
    make = API_LISTS[url]
    make()
    client.force_login(quality)
    client.get(url)
    with CaptureQueriesContext(connection) as one_row:
        first = client.get(url).json()
    for _ in range(3):
        make()
    with CaptureQueriesContext(connection) as more_rows:
        second = client.get(url).json()
    assert second["count"] > first["count"]
    assert len(more_rows) == len(one_row), [query["sql"][:160] for query in more_rows]
