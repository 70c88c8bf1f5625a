"""Lookups by a value someone typed are answered from an index, never by reading a whole table.

At the benchmark's scale a scan is what turns a public page slow (2 million complaints, 66,000 contacts)
and what an anonymous visitor could repeat to load the database. PostgreSQL only chooses an index over a
scan when the table is large, so each plan is asked for with sequential scans priced out of reach: a
lookup that no index can answer still plans a scan, and the test fails.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from customers.models import Contact, Customer
from customers.selectors import contacts_with_email
from feedback.filters import CUSTOMER_SEARCH_FIELDS, FeedbackItemFilterSet
from feedback.models import FeedbackItem
from feedback.public_views import find_by_reference_and_email
from qms.core import search
from requirements.models import Requirement

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def scans_of(queryset, table: str) -> list[dict]:
    """The plan's nodes reading ``table``, with every way of reading it whole priced out of reach.

    Sequential scans and plain index scans are switched off, so the planner reads the table with a bitmap
    scan of an index searched for the value when one can be, whatever it guesses of the table's size or of
    how many rows match (a plain index scan read end to end, in the list's order, is otherwise a fair choice
    for a word it believes common). The table's statistics are set back to "never analysed" too (in the
    test's transaction, rolled back after it), so no guess rests on what earlier tests left behind.
    """
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = %s::regclass", [table])
    nodes, found = json.loads(queryset.explain(format="json"))[0]["Plan"], []
    stack = [nodes]
    while stack:
        node = stack.pop()
        if node.get("Relation Name") == table:
            found.append(node)
        stack.extend(node.get("Plans", ()))
    return found


def searched_by_index(node: dict) -> bool:
    """An index searched for the value: not a scan, nor an index read end to end with a filter."""
    return ("Index Cond" in node) or (node["Node Type"] == "Bitmap Heap Scan" and "Recheck Cond" in node)


LOOKUPS = {
    # The public status page: reference (as typed, any case) and e-mail address.
    "feedback by reference": (
        lambda: find_by_reference_and_email(" cmp-2026-00017 ", "Ada@Example.org"),
        "feedback_feedbackitem",
    ),
    # The public link in the receipt e-mail.
    "feedback by status token": (lambda: FeedbackItem.objects.filter(public_token="x" * 43), "feedback_feedbackitem"),
    # The public form links a submission with the contact who sent it; surveys honour an opt-out.
    "contacts by e-mail": (lambda: contacts_with_email(" Ada@Example.org "), "customers_contact"),
    "opted-out contacts by e-mail": (
        lambda: contacts_with_email("ada@example.org").filter(survey_opt_out=True),
        "customers_contact",
    ),
    # The feedback register's search box (a trigram index on PostgreSQL; qms.core.search).
    "feedback by any word": (
        lambda: FeedbackItemFilterSet().search(FeedbackItem.objects.all(), "q", "crushed box"),
        "feedback_feedbackitem",
    ),
    # The same search box finds complaints of customers by their code or name (customers 0004).
    "customers by code or name": (
        lambda: search.matching(Customer.objects.all(), "crushed", CUSTOMER_SEARCH_FIELDS),
        "customers_customer",
    ),
    # Imports and the forms' duplicate checks.
    "customer by code": (lambda: Customer.objects.filter(code__iexact="acme"), "customers_customer"),
    "requirement by reference": (
        lambda: Requirement.objects.filter(reference__iexact="req-0001"),
        "requirements_requirement",
    ),
}


@pytest.mark.parametrize("name", LOOKUPS)
def test_lookup_is_answered_from_an_index(name):
    build, table = LOOKUPS[name]
    scans = scans_of(build(), table)
    assert scans and all(searched_by_index(node) for node in scans), scans


def test_a_lookup_without_an_index_is_caught():
    """The check itself: a filter no index covers is read in full (a scan, or an index end to end)."""
    scans = scans_of(Contact.objects.filter(phone__iexact="+44 20 7946 0000"), "customers_contact")
    assert scans and not any(searched_by_index(node) for node in scans), scans


def test_a_search_also_matching_customers_by_name_reads_both_from_indexes():
    """The customers whose name matches are found first, so their complaints come from the index on the
    customer combined with the search's own index, not from a join that reads every complaint."""
    from customers.tests.factories import CustomerFactory

    CustomerFactory(name="Crushed Ice Ltd")
    queryset = FeedbackItemFilterSet().search(FeedbackItem.objects.all(), "q", "crushed")
    scans = scans_of(queryset, "feedback_feedbackitem")
    assert scans and all(searched_by_index(node) for node in scans), scans
    assert "customer_id" in json.dumps(scans) and "feedback_item_search" in json.dumps(scans)
