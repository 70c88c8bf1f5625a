"""The customer register in a real browser: list, detail, forms, import, export, read-only access."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from customers.models import Customer
from customers.services import customer_update
from customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.browser


def _results_update(page):
    """Waits for the htmx request of the filter form (a fragment, not a page)."""
    return page.expect_response(
        lambda response: "/customers/?" in response.url and response.request.headers.get("hx-request") == "true"
    )


def _codes(page) -> list[str]:
    return page.locator("#results tbody tr td:first-child").all_inner_texts()


def test_list_filters_with_htmx_sorts_and_pages(portal, quality):
    page = portal.page
    for _ in range(27):
        CustomerFactory()
    CustomerFactory(code="ZEPH-01", name="Zephyr Aerospace", status="inactive", country="DE")
    CustomerFactory(code="ACME-01", name="Acme Tools", segment="enterprise")
    CustomerFactory(code="BOLT-01", name="Bolt Fasteners", status="inactive")
    all_codes = sorted(Customer.objects.values_list("code", flat=True))

    portal.login("quality")
    portal.goto("/customers/", "list")
    expect(page.locator("#results")).to_contain_text("30 records; page 1 of 2.")
    expect(page.locator("#results tbody tr")).to_have_count(25)
    page.evaluate("() => { window.noReloadMarker = true; }")

    # Typing in the search box updates the results in place and puts the search in the address.
    with _results_update(page) as update:
        page.get_by_role("searchbox", name="Search").press_sequentially("zephyr")
    assert "<html" not in update.value.text()
    expect(page.locator("#results")).to_contain_text("1 record matches the filters.")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody")).to_contain_text("Zephyr Aerospace")
    expect(page.locator("#results tbody")).to_contain_text("Germany")
    expect(page).to_have_url(re.compile(r"/customers/\?q=zephyr"))
    expect(page.locator("#results-status")).to_have_text("1 record matches the filters.")  # read out
    portal.snap("search-zephyr")

    # A filter combines with the search; changing it updates the results again.
    page.get_by_role("searchbox", name="Search").fill("")
    with _results_update(page):
        page.get_by_label("Status").select_option("inactive")
    expect(page.locator("#results")).to_contain_text("2 records match the filters.")
    assert sorted(_codes(page)) == ["BOLT-01", "ZEPH-01"]
    assert page.evaluate("() => window.noReloadMarker") is True
    portal.snap("filter-inactive")

    with _results_update(page):
        page.get_by_label("Status").select_option("")
    expect(page.locator("#results")).to_contain_text("30 records; page 1 of 2.")

    # Sorting: a link per sortable column, flipping the direction on the second click.
    page.locator("#results thead").get_by_role("link", name="Code").click()
    page.wait_for_url(re.compile(r"sort=code"))
    expect(page.locator("th", has_text="Code")).to_have_attribute("aria-sort", "ascending")
    assert _codes(page) == all_codes[:25]
    portal.snap("sorted-by-code")
    page.locator("#results thead").get_by_role("link", name="Code").click()
    page.wait_for_url(re.compile(r"sort=-code"))
    expect(page.locator("th", has_text="Code")).to_have_attribute("aria-sort", "descending")
    assert _codes(page) == list(reversed(all_codes))[:25]
    portal.snap("sorted-by-code-descending")

    # Pagination keeps the sort; the next page seeks from this one's last row (a cursor in the link).
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.get_by_role("link", name="Previous")).to_have_count(0)
    pages.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"sort=-code&cursor="))
    expect(page.locator("#results")).to_contain_text("30 records; page 2 of 2.")
    assert _codes(page) == list(reversed(all_codes))[25:]
    expect(pages.get_by_role("link", name="Next")).to_have_count(0)
    expect(pages.get_by_role("link", name="First")).to_be_visible()
    portal.snap("page-2")
    pages.get_by_role("link", name="Previous").click()
    page.wait_for_url(re.compile(r"[?&]sort=-code$"))  # page 1: the list itself, no cursor
    assert _codes(page) == list(reversed(all_codes))[:25]


def test_detail_shows_fields_contacts_and_history(portal, quality):
    page = portal.page
    customer = CustomerFactory(code="ACME-01", name="Acme Tools", country="FR", account_owner=quality)
    ContactFactory(customer=customer, name="Ada Buyer", email="ada@acme.example", role="Purchasing")
    ContactFactory(customer=customer, name="Ben Quiet", email="ben@acme.example", survey_opt_out=True)
    customer_update(actor=quality, customer=customer, data={"notes": "Prefers quarterly reviews."})

    portal.login("quality")
    portal.goto("/customers/", "list")
    page.get_by_role("link", name="ACME-01").click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    portal.snap("detail")

    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Tools (ACME-01)")
    details = page.get_by_role("region", name="Details")
    expect(details).to_contain_text("France")
    expect(details).to_contain_text("Quality Tester")
    expect(details).to_contain_text("Prefers quarterly reviews.")

    contacts = page.get_by_role("region", name="Contacts (2)")
    expect(contacts.locator("tbody tr")).to_have_count(2)
    expect(contacts.get_by_role("row", name="Ada Buyer")).to_contain_text("Purchasing")
    expect(contacts.get_by_role("row", name="Ben Quiet")).to_contain_text("Opted out")
    expect(contacts.get_by_role("link", name="ada@acme.example")).to_have_attribute("href", "mailto:ada@acme.example")

    history = page.get_by_role("region", name="History")
    expect(history.locator("li")).to_have_count(2)
    expect(history.locator("li").first).to_contain_text("Updated")
    expect(history.locator("li").first.locator("dt")).to_have_text(["Notes"])
    expect(history.locator("li").first.locator("dd")).to_have_text(["— → Prefers quarterly reviews."])
    expect(history.locator("li").last).to_contain_text("Created")

    # The list counts the contacts, and a search that matches a contact finds the customer.
    page.get_by_role("link", name="Customers", exact=True).first.click()
    with _results_update(page):
        page.get_by_role("searchbox", name="Search").press_sequentially("acme")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    portal.snap("list-search-acme")


def test_create_with_an_error_then_edit_then_delete(portal, quality):
    page = portal.page
    portal.login("quality")
    portal.goto("/customers/", "list")
    page.get_by_role("link", name="Add customer").click()
    page.wait_for_url("**/customers/new/")
    portal.snap("new-form")

    page.get_by_label("Code").fill("bad code!")
    page.get_by_label("Name").fill("Northwind Traders")
    page.get_by_label("Segment").select_option("distributor")
    page.get_by_label("Country").select_option("NL")
    page.get_by_label("Notes").fill("Met at the trade fair.")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    assert navigation.value.status == 400
    portal.snap("new-form-error", status=400)

    # The message sits next to the field, the field says it is invalid, and nothing typed is lost.
    code = page.get_by_label("Code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_have_class(re.compile(r"\bis-invalid\b"))
    message = page.locator("#id_code ~ .invalid-feedback, #id_code + .invalid-feedback").first
    expect(message).to_be_visible()
    expect(message).to_contain_text("Use 1 to 32 capital letters")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the 1 field marked below")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile(r"^Code\*?: Use 1 to 32 capital letters")).click()
    expect(code).to_be_focused()
    expect(code).to_have_value("bad code!")
    expect(page.get_by_label("Name")).to_have_value("Northwind Traders")
    expect(page.get_by_label("Segment")).to_have_value("distributor")
    expect(page.get_by_label("Country")).to_have_value("NL")
    expect(page.get_by_label("Notes")).to_have_value("Met at the trade fair.")
    assert not Customer.objects.exists()

    code.fill("nwt-01")
    page.get_by_role("button", name="Save").click()
    customer = Customer.objects.get()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("Customer Northwind Traders (NWT-01) was created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Traders (NWT-01)")
    expect(page.get_by_role("region", name="Details")).to_contain_text("Netherlands")
    portal.snap("created")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(f"**/customers/{customer.pk}/edit/")
    expect(page.get_by_label("Name")).to_have_value("Northwind Traders")
    portal.snap("edit-form")
    page.get_by_label("Name").fill("Northwind Trading BV")
    page.get_by_label("Status").select_option("inactive")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("was saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Trading BV (NWT-01)")
    expect(page.get_by_role("region", name="History").locator("li").first).to_contain_text(
        "Northwind Traders → Northwind Trading BV"
    )
    portal.snap("edited")

    page.get_by_role("link", name="Delete", exact=True).click()
    page.wait_for_url(f"**/customers/{customer.pk}/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete customer “Northwind Trading BV (NWT-01)”?")
    portal.snap("confirm-delete")
    page.get_by_role("button", name="Yes, delete").click()
    page.wait_for_url("**/customers/")
    expect(page.get_by_role("alert")).to_contain_text("Customer Northwind Trading BV (NWT-01) was deleted.")
    expect(page.locator("#results")).to_contain_text("Nothing here yet")
    portal.snap("deleted")
    assert not Customer.objects.exists()


def test_import_previews_invalid_rows_then_imports_the_valid_ones(portal, quality, tmp_path):
    page = portal.page
    CustomerFactory(code="ACME-01", name="Acme Tools")
    upload = tmp_path / "customers.csv"
    upload.write_text(
        "code,name,segment,status,country,account_owner,notes\n"
        "GLOBEX-01,Globex Corporation,enterprise,active,US,quality,Key account\n"
        "INITECH-01,Initech,sme,prospect,Germany,,\n"
        "BAD-01,Umbrella Ltd,sme,active,Atlantis,,\n"
        "ACME-01,Acme Tools International,enterprise,active,GB,,\n",
        encoding="utf-8",
    )

    portal.login("quality")
    portal.goto("/customers/", "list")
    page.get_by_role("link", name="Import").click()
    page.wait_for_url("**/customers/import/")
    portal.snap("upload-form")
    page.get_by_label("CSV or Excel file").set_input_files(upload)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview of customers.csv")).to_be_visible()
    portal.snap("preview")

    expect(page.get_by_test_id("import-summary")).to_contain_text(
        "4 rows read: 3 valid (2 to create, 1 to update), 1 invalid, which will be skipped."
    )
    invalid = page.locator("tr.row-invalid")
    expect(invalid).to_have_count(1)
    expect(invalid).to_contain_text("Invalid")
    expect(invalid).to_contain_text("BAD-01")
    expect(invalid).to_contain_text("“Atlantis” is not a country")
    expect(page.get_by_role("row", name=re.compile("ACME-01"))).to_contain_text("Update")
    assert Customer.objects.count() == 1  # nothing saved by the preview

    page.get_by_role("button", name="Import 3 valid rows").click()
    page.wait_for_url("**/customers/")
    expect(page.get_by_role("alert")).to_contain_text(
        "Import of customers.csv done: 2 created, 1 updated, 0 unchanged, 1 invalid row(s) skipped."
    )
    expect(page.locator("#results")).to_contain_text("3 records")
    results = page.locator("#results tbody")
    expect(results).to_contain_text("Globex Corporation")
    expect(results).to_contain_text("Initech")
    expect(results).to_contain_text("Acme Tools International")
    expect(results).not_to_contain_text("Umbrella")
    portal.snap("imported")
    globex = Customer.objects.get(code="GLOBEX-01")
    assert (globex.segment, globex.country.code, globex.account_owner) == ("enterprise", "US", quality)


def test_export_downloads_the_filtered_list_as_csv_and_xlsx(portal, quality, tmp_path):
    page = portal.page
    CustomerFactory(code="ACME-01", name="Acme Tools", country="GB", account_owner=quality, notes="=1+1")
    CustomerFactory(code="ZEPH-01", name="Zephyr Aerospace", status="inactive", country="DE")
    CustomerFactory(code="BOLT-01", name="Bolt Fasteners", status="inactive")

    portal.login("quality")
    portal.goto("/customers/?status=active", "list-active")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert re.fullmatch(r"customers-\d{8}-\d{4}\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows == [
        ["code", "name", "segment", "status", "country", "account_owner", "notes"],
        ["ACME-01", "Acme Tools", "Small and medium business", "Active", "United Kingdom", "quality", "'=1+1"],
    ]

    portal.goto("/customers/?status=inactive&sort=code", "list-inactive")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export Excel").click()
    download = download_info.value
    assert re.fullmatch(r"customers-\d{8}-\d{4}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["code", "name", "segment", "status", "country", "account_owner", "notes"]
    assert [row[:2] for row in values[1:]] == [["BOLT-01", "Bolt Fasteners"], ["ZEPH-01", "Zephyr Aerospace"]]
    # Downloading is not navigating: the page is still the list, and still fine.
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    portal.check_page()


def test_auditor_reads_but_has_no_write_buttons_and_gets_403_on_the_form(portal, auditor):
    page = portal.page
    customer = CustomerFactory(code="ACME-01", name="Acme Tools")
    ContactFactory(customer=customer, name="Ada Buyer")

    portal.login("auditor")
    portal.goto("/customers/", "list")
    expect(page.locator("#results tbody")).to_contain_text("Acme Tools")
    for name in ("Add customer", "Import"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()

    page.get_by_role("link", name="ACME-01").click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    portal.snap("detail")
    expect(page.get_by_role("region", name="Contacts (1)")).to_contain_text("Ada Buyer")
    main = page.get_by_role("main")
    for name in ("Edit", "Delete", "Add contact"):
        expect(main.get_by_role("link", name=re.compile(rf"^{name}"))).to_have_count(0)

    forbidden = {"new": "/customers/new/", "import": "/customers/import/", "edit": f"/customers/{customer.pk}/edit/"}
    for name, path in forbidden.items():
        portal.goto(path, f"forbidden-{name}", status=403)
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
        expect(page.get_by_role("main")).to_contain_text("Your role does not allow this.")
