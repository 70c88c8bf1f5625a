"""The audit log as quality managers and auditors use it: filter, open an entry, read a record's history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from customers.services import customer_update
from customers.tests.factories import CustomerFactory
from qms.audit.services import audit_chain_verify_and_record

pytestmark = pytest.mark.browser


def test_auditor_filters_the_log_and_reads_an_entry(portal, auditor, quality):
    customer = CustomerFactory(code="LOG-01", name="Logged Ltd", status="active")
    customer_update(actor=quality, customer=customer, data={"status": "inactive"})
    audit_chain_verify_and_record(checked_by="browser test")
    page = portal.page

    portal.login("auditor")
    page.get_by_role("link", name="Audit log", exact=True).click()
    page.wait_for_url("**/audit/")
    expect(page.get_by_test_id("chain-status")).to_contain_text("intact")
    portal.snap("audit-log")

    page.get_by_label("Action").select_option("update")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr").first).to_contain_text("Logged Ltd (LOG-01)")
    portal.snap("audit-log-updates")

    page.locator("#results tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Updated: Customer “Logged Ltd (LOG-01)”")
    changes = page.get_by_role("region", name="Changes")
    expect(changes.get_by_role("row", name="Status")).to_contain_text("Active")
    expect(changes.get_by_role("row", name="Status")).to_contain_text("Inactive")
    portal.snap("audit-entry")
