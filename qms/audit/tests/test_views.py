"""The audit log page and each record's history."""

from __future__ import annotations

import csv
import io
import re

import pytest

from customers.tests.factories import CustomerFactory
from qms.audit.models import AuditEntry
from qms.audit.services import audit_chain_verify_and_record


@pytest.mark.django_db
def test_audit_log_lists_newest_first(client_for, quality):
    CustomerFactory(name="First Co")
    CustomerFactory(name="Second Co")
    page = client_for(quality).get("/audit/").content.decode()
    assert page.index("Second Co") < page.index("First Co")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("action=delete", "Gone Co", "Kept Co"),
        ("q=Kept", "Kept Co", "Gone Co"),
        ("content_type=customers.customer&action=create", "Kept Co", "nothing-hidden"),
        ("source=cli", "Kept Co", "nothing-hidden"),
        ("source=ui", "nothing-shown", "Kept Co"),
    ],
)
def test_audit_log_filters(client_for, auditor, query, shown, hidden):
    CustomerFactory(name="Kept Co")
    CustomerFactory(name="Gone Co").delete()
    page = client_for(auditor).get(f"/audit/?{query}").content.decode()
    if shown != "nothing-shown":
        assert shown in page
    else:
        assert "Nothing matches these filters" in page
    assert hidden not in page


@pytest.mark.django_db
def test_audit_log_is_paginated_by_fifty(client_for, quality):
    CustomerFactory.create_batch(60)
    response = client_for(quality).get("/audit/")
    assert len(response.context["object_list"]) == 50
    assert response.context["page_obj"].paginator.num_pages >= 2


@pytest.mark.django_db
def test_audit_log_export_contains_hashes(client_for, auditor):
    customer = CustomerFactory(name="Exported Co")
    response = client_for(auditor).get("/audit/?export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["seq", "timestamp", "actor"]
    entry = AuditEntry.objects.for_object(customer).get()
    assert [str(entry.seq), entry.hash] in [[row[0], row[-1]] for row in rows[1:]]


@pytest.mark.django_db
def test_audit_log_shows_the_last_verification(client_for, auditor):
    CustomerFactory()
    audit_chain_verify_and_record(checked_by="test")
    page = client_for(auditor).get("/audit/").content.decode()
    assert "intact" in page and "by test" in page


@pytest.mark.django_db
def test_audit_log_says_when_never_verified(client_for, auditor):
    page = client_for(auditor).get("/audit/").content.decode()
    assert "has not been verified yet" in page


@pytest.mark.django_db
def test_entry_page_shows_before_and_after(client_for, auditor):
    customer = CustomerFactory(name="Old Name Co")
    customer.name = "New Name Co"
    customer.save()
    entry = AuditEntry.objects.for_object(customer).order_by("-seq").first()
    page = client_for(auditor).get(f"/audit/{entry.pk}/").content.decode()
    assert "Old Name Co" in page and "New Name Co" in page and entry.hash in page


@pytest.mark.django_db
def test_customer_page_shows_its_history(client_for, staff):
    customer = CustomerFactory(name="History Co", status="active")
    customer.status = "inactive"
    customer.save()
    client = client_for(staff)
    assert 'id="history-heading"' in client.get(f"/customers/{customer.pk}/").content.decode()
    page = client.get(f"/audit/history/customers.customer/{customer.pk}/").content.decode()
    # Without script the link opens the history as a page of its own, with the way back to the record.
    assert "<title>History of History Co" in page and f'href="/customers/{customer.pk}/"' in page
    assert "Status</dt>" in page
    assert "Active → Inactive" in page
    assert "Created" in page


@pytest.mark.django_db
def test_history_names_related_records_and_hides_blank_fields(client_for, staff, quality):
    customer = CustomerFactory(name="Owned Co", notes="")
    customer.account_owner = quality
    customer.save()
    history = client_for(staff).get(f"/audit/history/customers.customer/{customer.pk}/").context["history"]
    update, create = history[0], history[1]
    assert [(line.label, line.before, line.after) for line in update.lines] == [("Account owner", "—", "quality")]
    assert "Notes" not in [line.label for line in create.lines]
    assert "Id" not in [line.label for line in create.lines]


@pytest.mark.django_db
def test_audit_log_query_count_does_not_grow_with_rows(client_for, quality, django_assert_max_num_queries):
    CustomerFactory.create_batch(40)
    client = client_for(quality)
    with django_assert_max_num_queries(12):
        assert client.get("/audit/").status_code == 200


@pytest.mark.django_db
def test_entry_page_names_the_record_type_and_links_to_the_record(client_for, auditor):
    customer = CustomerFactory(name="Linked Co")
    entry = AuditEntry.objects.for_object(customer).get()
    page = client_for(auditor).get(f"/audit/{entry.pk}/").content.decode()
    assert f"#{entry.seq} Created: Customer “Linked Co" in page
    assert f'href="{customer.get_absolute_url()}">Open the record' in page
    assert "Command line" in page


@pytest.mark.django_db
def test_entry_of_a_deleted_record_has_no_link(client_for, auditor):
    customer = CustomerFactory(name="Removed Co")
    customer.delete()
    entry = AuditEntry.objects.filter(action="delete").get()
    page = client_for(auditor).get(f"/audit/{entry.pk}/").content.decode()
    assert "Open the record" not in page


@pytest.mark.django_db
def test_record_history_follows_the_records_permissions(client_for, staff, quality):
    from django.test import Client

    from feedback.tests.factories import FeedbackItemFactory
    from feedback.tests.survey_factories import CampaignFactory

    item = FeedbackItemFactory()  # not staff's: out of their scope
    url = f"/audit/history/feedback.feedbackitem/{item.pk}/"
    assert client_for(quality).get(url).status_code == 200
    assert client_for(staff).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page
    campaign = CampaignFactory()
    assert client_for(staff).get(f"/audit/history/feedback.campaign/{campaign.pk}/").status_code == 403
    for bad in ("no.such", "nonsense", "auth.group", "customers.customer"):
        path = f"/audit/history/{bad}/{item.pk if bad != 'customers.customer' else 'abc'}/"
        assert client_for(quality).get(path).status_code == 404, path
    assert client_for(quality).get("/audit/history/customers.customer/999999/").status_code == 404


@pytest.mark.django_db
def test_the_date_filters_are_date_pickers_that_keep_their_values(client_for, auditor):
    page = client_for(auditor).get("/audit/?since=2026-01-02&until=2026-01-31").content.decode()
    inputs = {
        name: re.search(rf'<input type="([\w-]+)" name="{name}" value="([^"]*)"', page).groups()
        for name in ("since", "until")
    }
    assert inputs == {"since": ("date", "2026-01-02"), "until": ("date", "2026-01-31")}
