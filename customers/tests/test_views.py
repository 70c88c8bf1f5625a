"""Pages of the customer register: list, detail, forms, delete, contacts, and who may use each."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from customers.models import Contact, Customer
from customers.tests.factories import ContactFactory, CustomerFactory
from qms.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST_URL = reverse("customers:customer_list")
CREATE_URL = reverse("customers:customer_create")
READ_ONLY_ROLES = ["management", "staff", "auditor"]
FORM = {"code": "ACME-01", "name": "Acme Ltd", "segment": "enterprise", "status": "active", "country": "GB"}

# Whatever the number of rows: session, user, permissions (two), roles, the owner choices of the
# filter form, the count and the page (the detail page: contacts and history instead of the list).
# Pinned to the exact count, so a query per row fails it.
LIST_QUERY_BUDGET = 8
# One of them reads the record's ISO 14001/45001/27001 clause tags (shown with the clauses it evidences).
DETAIL_QUERY_BUDGET = 10


def codes(response) -> list[str]:
    return [customer.code for customer in response.context["object_list"]]


def results(client, params):
    """The list as the page's search form asks for it (an htmx request for the results only)."""
    return client.get(LIST_URL, params, headers={"HX-Request": "true"})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def entries_since(seq: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=seq).order_by("seq"))


def snapshot_register() -> list[tuple]:
    """Every stored value of the register, to show that a refused or invalid request changed nothing."""
    return [
        *Customer.objects.order_by("pk").values_list(
            "pk", "code", "name", "segment", "status", "country", "account_owner", "notes"
        ),
        *Contact.objects.order_by("pk").values_list("pk", "customer", "name", "email", "phone", "role"),
    ]


@pytest.fixture
def acme():
    customer = CustomerFactory(code="ACME-01", name="Acme Industrial", segment="enterprise", country="GB")
    ContactFactory(customer=customer, name="Priya Shah", email="priya.shah@acme.example", role="Buyer")
    ContactFactory(customer=customer, name="Tom Becker", email="tom.becker@acme.example", role="Engineer")
    return customer


@pytest.fixture
def nord():
    customer = CustomerFactory(code="NORD-02", name="Nordlicht Medizintechnik", segment="public", country="DE")
    ContactFactory(customer=customer, name="Jana Vogel", email="j.vogel@nordlicht.example")
    return customer


# List: search, filters, sort, pagination, empty state, htmx, query budget


def test_list_shows_each_customer_with_its_link(client_for, quality, acme, nord):
    response = client_for(quality).get(LIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{acme.get_absolute_url()}"' in html
    assert "Nordlicht Medizintechnik" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ACME-01", ["ACME-01"]),
        ("nord-0", ["NORD-02"]),
        ("industrial", ["ACME-01"]),
        ("NORDLICHT MED", ["NORD-02"]),
        ("j.vogel@nordlicht", ["NORD-02"]),
        ("tom.becker@", ["ACME-01"]),
        ("Priya", ["ACME-01"]),
        (".example", ["ACME-01", "NORD-02"]),
        ("no such customer", []),
    ],
)
def test_search_matches_code_name_or_contact(client_for, quality, acme, nord, query, expected):
    response = results(client_for(quality), {"q": query})
    assert codes(response) == expected


def test_search_lists_a_customer_once_however_many_contacts_match(client_for, quality, acme):
    response = results(client_for(quality), {"q": "acme.example"})
    assert codes(response) == ["ACME-01"]


def test_search_on_contacts_keeps_the_contact_count_right(client_for, quality, acme):
    response = results(client_for(quality), {"q": "acme.example"})
    assert [customer.contact_count for customer in response.context["object_list"]] == [2]


@pytest.fixture
def varied(staff):
    CustomerFactory(code="A-1", name="Alpha", segment="enterprise", status="active", country="GB")
    CustomerFactory(code="B-2", name="Bravo", segment="public", status="inactive", country="DE", account_owner=staff)
    CustomerFactory(code="C-3", name="Charlie", segment="sme", status="prospect", country="FR")
    CustomerFactory(code="D-4", name="Delta", segment="public", status="active", country="GB", account_owner=staff)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"segment": "public"}, ["B-2", "D-4"]),
        ({"status": "prospect"}, ["C-3"]),
        ({"country": "GB"}, ["A-1", "D-4"]),
        ({"segment": "public", "status": "active"}, ["D-4"]),
        ({"segment": "enterprise", "country": "DE"}, []),
    ],
)
def test_filters_keep_only_matching_customers(client_for, quality, varied, filters, expected):
    response = results(client_for(quality), filters)
    assert codes(response) == expected


def test_account_owner_filter_keeps_only_that_owners_customers(client_for, quality, staff, varied):
    response = results(client_for(quality), {"account_owner": staff.pk})
    assert codes(response) == ["B-2", "D-4"]


def test_filtered_list_says_how_many_match(client_for, quality, varied):
    response = client_for(quality).get(LIST_URL, {"segment": "public"})
    assert "2 records match the filters." in response.content.decode()


@pytest.fixture
def sortable():
    # Name order and code order disagree, so a sort that is ignored shows.
    CustomerFactory(code="C-1", name="Alpha", status="inactive")
    CustomerFactory(code="A-2", name="Bravo", status="prospect")
    CustomerFactory(code="B-3", name="Charlie", status="active")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["C-1", "A-2", "B-3"]),
        ("-name", ["B-3", "A-2", "C-1"]),
        ("code", ["A-2", "B-3", "C-1"]),
        ("-code", ["C-1", "B-3", "A-2"]),
        ("status", ["B-3", "C-1", "A-2"]),
        ("-status", ["A-2", "C-1", "B-3"]),
    ],
)
def test_sort_orders_the_list_in_both_directions(client_for, quality, sortable, sort, expected):
    response = results(client_for(quality), {"sort": sort})
    assert codes(response) == expected
    assert response.context["current_sort"] == sort


@pytest.mark.parametrize("sort", ["password", "-account_owner__password", "notes", ""])
def test_unknown_sort_key_falls_back_to_name_order(client_for, quality, sortable, sort):
    response = results(client_for(quality), {"sort": sort})
    assert codes(response) == ["C-1", "A-2", "B-3"]
    assert response.context["current_sort"] == "name"


def test_sorted_column_heading_links_to_the_other_direction(client_for, quality, sortable):
    html = results(client_for(quality), {"sort": "code"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?sort=-code"' in html


def test_list_shows_25_customers_per_page(client_for, quality):
    CustomerFactory.create_batch(30)
    response = client_for(quality).get(LIST_URL)
    assert len(response.context["object_list"]) == 25
    assert "30 records; page 1 of 2." in response.content.decode()


def test_second_page_shows_the_rest(client_for, quality):
    CustomerFactory.create_batch(30)
    first = codes(client_for(quality).get(LIST_URL))
    second = codes(results(client_for(quality), {"page": 2}))
    assert len(second) == 5
    assert not set(first) & set(second)


def test_page_links_keep_the_filters(client_for, quality):
    CustomerFactory.create_batch(27, segment="public")
    client = client_for(quality)
    html = client.get(LIST_URL, {"segment": "public"}).content.decode()
    # The next page seeks from this page's last row (a cursor); the filters stay in the link.
    next_link = re.search(r'href="(\?segment=public&amp;cursor=[^"]+)" rel="next"', html)
    assert next_link, html
    second = client.get(LIST_URL + unescape(next_link.group(1)))
    assert "page 2 of 2" in second.content.decode()
    assert len(second.context["object_list"]) == 2
    assert {customer.segment for customer in second.context["object_list"]} == {"public"}


def test_page_past_the_end_is_not_found(client_for, quality):
    CustomerFactory.create_batch(3)
    assert client_for(quality).get(LIST_URL, {"page": 2}).status_code == 404


def test_empty_register_invites_to_add_or_import(client_for, quality):
    html = client_for(quality).get(LIST_URL).content.decode()
    assert "Nothing here yet. Add your first customer, or import a list." in html


def test_filters_matching_nothing_offer_to_clear_them(client_for, quality, acme):
    html = client_for(quality).get(LIST_URL, {"q": "zzz"}).content.decode()
    assert "Nothing matches these filters." in html
    assert "Clear the filters" in html


def test_htmx_request_gets_only_the_results_fragment(client_for, quality, acme):
    response = client_for(quality).get(LIST_URL, {"q": "acme"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Acme Industrial" in html
    assert "<table" in html


def test_plain_request_gets_the_whole_page(client_for, quality, acme):
    html = client_for(quality).get(LIST_URL).content.decode()
    assert "<html" in html
    assert 'id="results"' in html


@pytest.mark.parametrize("rows", [5, 30])
def test_list_query_count_does_not_grow_with_rows(client_for, quality, django_assert_max_num_queries, rows):
    for number in range(rows):
        owner = get_user_model().objects.create_user(username=f"owner{number}")
        ContactFactory.create_batch(2, customer=CustomerFactory(account_owner=owner))
    client = client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(LIST_URL)
    assert len(response.context["object_list"]) == min(rows, 25)


# Detail


def test_detail_shows_the_customers_fields(client_for, quality, staff):
    customer = CustomerFactory(
        code="ACME-01", name="Acme Ltd", segment="public", status="prospect", country="DE", account_owner=staff
    )
    customer.notes = "Prefers e-mail."
    customer.save()
    html = client_for(quality).get(customer.get_absolute_url()).content.decode()
    for shown in ("ACME-01", "Acme Ltd", "Public sector", "Prospect", "Germany", "Staff Tester", "Prefers e-mail."):
        assert shown in html


def test_detail_lists_the_contacts(client_for, quality, acme):
    html = client_for(quality).get(acme.get_absolute_url()).content.decode()
    assert "Contacts (2)" in html
    assert "priya.shah@acme.example" in html
    assert "Tom Becker" in html


def test_detail_links_to_the_feedback_the_user_may_see(client_for, quality, staff, acme):
    from feedback.tests.factories import FeedbackItemFactory

    FeedbackItemFactory(customer=acme, logged_by=staff)
    FeedbackItemFactory(customer=acme)
    FeedbackItemFactory()  # another customer's
    link = reverse("feedback:item_list") + f"?customer={acme.pk}"
    assert f'href="{link}"' in client_for(quality).get(acme.get_absolute_url()).content.decode()
    assert f"from {acme.name} (2)" in client_for(quality).get(acme.get_absolute_url()).content.decode()
    assert f"from {acme.name} (1)" in client_for(staff).get(acme.get_absolute_url()).content.decode()


def test_detail_history_shows_creation_then_the_change_before_and_after(client_for, quality):
    client = client_for(quality)
    client.post(CREATE_URL, {**FORM, "name": "Acme Old Name"})
    customer = Customer.objects.get(code="ACME-01")
    client.post(reverse("customers:customer_update", args=[customer.pk]), {**FORM, "name": "Acme New Name"})
    page = client.get(customer.get_absolute_url()).content.decode()
    history_url = reverse("audit:record_history", args=["customers.customer", customer.pk])
    assert f'hx-get="{history_url}" hx-trigger="load"' in page and f'href="{history_url}"' in page
    response = client.get(history_url, headers={"HX-Request": "true"})
    history = [entry.action for entry in response.context["history"]]
    html = response.content.decode()
    assert "<html" not in html  # the entries alone, swapped into the page
    assert history == ["update", "create"]
    assert "Acme Old Name → Acme New Name" in html
    assert "Created</strong> by Quality Tester" in html


def test_detail_of_unknown_customer_is_not_found(client_for, quality):
    assert client_for(quality).get(reverse("customers:customer_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("contacts", [1, 12])
def test_detail_query_count_does_not_grow_with_contacts(client_for, quality, django_assert_max_num_queries, contacts):
    customer = CustomerFactory()
    ContactFactory.create_batch(contacts, customer=customer)
    client = client_for(quality)
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        response = client.get(customer.get_absolute_url())
    assert len(response.context["contacts"]) == contacts


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_detail_offers_no_edit_or_delete_to_read_only_roles(client_for, user_in_role, role, acme):
    html = client_for(user_in_role(role)).get(acme.get_absolute_url()).content.decode()
    assert reverse("customers:customer_update", args=[acme.pk]) not in html
    assert reverse("customers:customer_delete", args=[acme.pk]) not in html


def test_detail_offers_edit_and_delete_to_the_quality_manager(client_for, quality, acme):
    html = client_for(quality).get(acme.get_absolute_url()).content.decode()
    assert reverse("customers:customer_update", args=[acme.pk]) in html
    assert reverse("customers:customer_delete", args=[acme.pk]) in html


# Create and edit


def test_create_form_renders(client_for, quality):
    response = client_for(quality).get(CREATE_URL)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_create_redirects_to_the_new_customer(client_for, quality):
    response = client_for(quality).post(CREATE_URL, FORM)
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == customer.get_absolute_url()


def test_create_says_the_customer_was_created(client_for, quality):
    response = client_for(quality).post(CREATE_URL, FORM)
    assert messages_of(response) == ["Customer Acme Ltd (ACME-01) was created."]


def test_create_writes_exactly_one_audit_entry_by_the_user_from_the_ui(client_for, quality):
    since = last_seq()
    client_for(quality).post(CREATE_URL, FORM)
    [entry] = entries_since(since)
    assert (entry.action, entry.content_type, entry.source, entry.actor_id) == (
        "create",
        "customers.customer",
        "ui",
        quality.pk,
    )


def test_create_upper_cases_the_code(client_for, quality):
    client_for(quality).post(CREATE_URL, {**FORM, "code": "acme-01"})
    assert Customer.objects.get().code == "ACME-01"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"code": ""}, "code", "This field is required."),
        ({"code": "AC ME"}, "code", "Use 1 to 32 capital letters"),
        ({"code": "-ACME"}, "code", "Use 1 to 32 capital letters"),
        ({"code": "acme-01"}, "code", "already exists"),
        ({"segment": "martian"}, "segment", "Select a valid choice."),
        ({"country": "XX"}, "country", "Select a valid choice."),
    ],
)
def test_invalid_create_is_refused_on_the_field_and_saves_nothing(client_for, quality, change, field, message):
    CustomerFactory(code="ACME-01", name="Existing Acme")
    before, since = snapshot_register(), last_seq()
    response = client_for(quality).post(CREATE_URL, {**FORM, "code": "NEW-01", **change})
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert message in " ".join(errors[field])
    assert f'id="error_1_id_{field}"' in response.content.decode()
    assert snapshot_register() == before
    assert entries_since(since) == []


def test_edit_form_shows_the_current_values(client_for, quality, acme):
    html = client_for(quality).get(reverse("customers:customer_update", args=[acme.pk])).content.decode()
    assert 'value="Acme Industrial"' in html


def test_edit_saves_redirects_and_says_so(client_for, quality, acme):
    url = reverse("customers:customer_update", args=[acme.pk])
    response = client_for(quality).post(url, {**FORM, "name": "Acme Renamed"})
    assert response.status_code == 302
    assert response.url == acme.get_absolute_url()
    assert messages_of(response) == ["Customer Acme Renamed (ACME-01) was saved."]
    assert Customer.objects.get(pk=acme.pk).name == "Acme Renamed"


def test_edit_writes_exactly_one_audit_entry_with_before_and_after(client_for, quality, acme):
    since = last_seq()
    client_for(quality).post(reverse("customers:customer_update", args=[acme.pk]), {**FORM, "name": "Acme Renamed"})
    [entry] = entries_since(since)
    assert (entry.action, entry.object_id, entry.source) == ("update", str(acme.pk), "ui")
    assert entry.changes["name"] == ["Acme Industrial", "Acme Renamed"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"name": ""}, "name"), ({"code": "AC ME"}, "code"), ({"code": "nord-02"}, "code")],
)
def test_invalid_edit_is_refused_on_the_field_and_changes_nothing(client_for, quality, acme, nord, change, field):
    before, since = snapshot_register(), last_seq()
    response = client_for(quality).post(
        reverse("customers:customer_update", args=[acme.pk]), {**FORM, "name": "Should not stick", **change}
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert snapshot_register() == before
    assert entries_since(since) == []


def test_edit_of_unknown_customer_is_not_found(client_for, quality):
    assert client_for(quality).get(reverse("customers:customer_update", args=[999999])).status_code == 404


# Delete


def test_delete_asks_for_confirmation_and_deletes_nothing(client_for, quality, acme):
    response = client_for(quality).get(reverse("customers:customer_delete", args=[acme.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete customer “Acme Industrial (ACME-01)”?" in html
    assert "Its 2 contacts will be deleted with it." in html
    assert Customer.objects.filter(pk=acme.pk).exists()
    assert acme.contacts.count() == 2


def test_delete_removes_the_customer_and_its_contacts(client_for, quality, acme, nord):
    response = client_for(quality).post(reverse("customers:customer_delete", args=[acme.pk]))
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert messages_of(response) == ["Customer Acme Industrial (ACME-01) was deleted."]
    assert list(Customer.objects.values_list("code", flat=True)) == ["NORD-02"]
    assert list(Contact.objects.values_list("customer__code", flat=True)) == ["NORD-02"]


def test_delete_audits_the_customer_and_each_contact(client_for, quality, acme):
    expected = {("customers.customer", str(acme.pk))} | {
        ("customers.contact", str(pk)) for pk in acme.contacts.values_list("pk", flat=True)
    }
    since = last_seq()
    client_for(quality).post(reverse("customers:customer_delete", args=[acme.pk]))
    entries = entries_since(since)
    assert {entry.action for entry in entries} == {"delete"}
    assert sorted((entry.content_type, entry.object_id) for entry in entries) == sorted(expected)


# Contacts


def contact_url(name, customer, contact=None):
    return reverse(f"customers:{name}", args=[customer.pk] if contact is None else [customer.pk, contact.pk])


CONTACT_FORM = {"name": "Dana Kim", "email": "dana@acme.example", "phone": "+44 20 7946 0000", "role": "Buyer"}


def test_add_contact_saves_it_at_the_customer_and_returns_to_the_customer(client_for, quality, acme):
    since = last_seq()
    response = client_for(quality).post(contact_url("contact_create", acme), CONTACT_FORM)
    assert response.status_code == 302
    assert response.url == acme.get_absolute_url()
    assert messages_of(response) == ["Contact Dana Kim (ACME-01) was created."]
    assert acme.contacts.filter(email="dana@acme.example", role="Buyer").exists()
    [entry] = entries_since(since)
    assert (entry.action, entry.content_type) == ("create", "customers.contact")


def test_add_contact_form_names_the_customer(client_for, quality, acme):
    html = client_for(quality).get(contact_url("contact_create", acme)).content.decode()
    assert "New contact at Acme Industrial" in html


def test_edit_contact_saves_the_change_with_one_audit_entry(client_for, quality, acme):
    contact = acme.contacts.get(name="Priya Shah")
    since = last_seq()
    response = client_for(quality).post(
        contact_url("contact_update", acme, contact), {**CONTACT_FORM, "name": "Priya Shah", "email": contact.email}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "+44 20 7946 0000"
    [entry] = entries_since(since)
    assert (entry.action, entry.object_id) == ("update", str(contact.pk))


def test_delete_contact_asks_for_confirmation_and_deletes_nothing(client_for, quality, acme):
    contact = acme.contacts.get(name="Priya Shah")
    response = client_for(quality).get(contact_url("contact_delete", acme, contact))
    assert response.status_code == 200
    assert "Delete contact “Priya Shah (ACME-01)”?" in response.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_delete_contact_removes_only_that_contact_with_one_audit_entry(client_for, quality, acme):
    contact = acme.contacts.get(name="Priya Shah")
    contact_id = contact.pk
    since = last_seq()
    response = client_for(quality).post(contact_url("contact_delete", acme, contact))
    assert response.status_code == 302
    assert response.url == acme.get_absolute_url()
    assert list(acme.contacts.values_list("name", flat=True)) == ["Tom Becker"]
    [entry] = entries_since(since)
    assert (entry.action, entry.object_id) == ("delete", str(contact_id))


def test_add_contact_with_an_email_already_at_the_customer_is_refused_on_the_email_field(client_for, quality, acme):
    before = snapshot_register()
    response = client_for(quality).post(
        contact_url("contact_create", acme), {**CONTACT_FORM, "email": "priya.shah@acme.example"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["This customer already has a contact with this e-mail address."]
    assert snapshot_register() == before


def test_edit_contact_to_a_colleagues_email_is_refused_on_the_email_field(client_for, quality, acme):
    contact = acme.contacts.get(name="Tom Becker")
    before = snapshot_register()
    response = client_for(quality).post(
        contact_url("contact_update", acme, contact), {"name": "Tom Becker", "email": "priya.shah@acme.example"}
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert snapshot_register() == before


def test_add_contact_with_a_malformed_email_is_refused_on_the_email_field(client_for, quality, acme):
    response = client_for(quality).post(contact_url("contact_create", acme), {**CONTACT_FORM, "email": "not-an-email"})
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert acme.contacts.count() == 2


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("contact_update", "get"),
        ("contact_update", "post"),
        ("contact_delete", "get"),
        ("contact_delete", "post"),
    ],
)
def test_contact_cannot_be_reached_through_another_customers_url(client_for, quality, acme, nord, url_name, method):
    contact = nord.contacts.get()
    before = snapshot_register()
    url = reverse(f"customers:{url_name}", args=[acme.pk, contact.pk])
    response = getattr(client_for(quality), method)(url, {"name": "Hijacked", "email": "x@y.example"})
    assert response.status_code == 404
    assert snapshot_register() == before


def test_contact_of_unknown_customer_is_not_found(client_for, quality):
    assert client_for(quality).get(reverse("customers:contact_create", args=[999999])).status_code == 404


# Who may do what


WRITE_PAGES = [
    "customer_create",
    "customer_update",
    "customer_delete",
    "customer_import",
    "contact_create",
    "contact_update",
    "contact_delete",
]


def page_url(name, customer):
    if name in ("customer_list", "customer_create", "customer_import"):
        return reverse(f"customers:{name}")
    if name in ("contact_update", "contact_delete"):
        return reverse(f"customers:{name}", args=[customer.pk, customer.contacts.first().pk])
    return reverse(f"customers:{name}", args=[customer.pk])


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
@pytest.mark.parametrize("url_name", WRITE_PAGES)
def test_read_only_roles_cannot_open_write_pages(client_for, user_in_role, acme, role, url_name):
    assert client_for(user_in_role(role)).get(page_url(url_name, acme)).status_code == 403


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
@pytest.mark.parametrize("url_name", WRITE_PAGES)
def test_read_only_roles_cannot_write_and_nothing_changes(client_for, user_in_role, acme, role, url_name):
    client = client_for(user_in_role(role))
    before, since = snapshot_register(), last_seq()
    data = {**FORM, **CONTACT_FORM, "code": "NEW-99", "confirm": "1"}
    response = client.post(page_url(url_name, acme), data)
    assert response.status_code == 403
    assert snapshot_register() == before
    assert entries_since(since) == []


@pytest.mark.parametrize("role", ["quality", "admin"])
@pytest.mark.parametrize("url_name", WRITE_PAGES)
def test_quality_manager_and_administrator_may_open_write_pages(client_for, user_in_role, acme, role, url_name):
    assert client_for(user_in_role(role)).get(page_url(url_name, acme)).status_code == 200


@pytest.mark.parametrize("role", ["quality", "management", "staff", "auditor"])
def test_every_role_may_read_the_register(client_for, user_in_role, acme, role):
    client = client_for(user_in_role(role))
    assert client.get(LIST_URL).status_code == 200
    assert client.get(acme.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url_name", ["customer_list", "customer_detail", *WRITE_PAGES])
def test_anonymous_visitor_is_sent_to_sign_in(client_for, acme, url_name):
    response = client_for(None).get(page_url(url_name, acme))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")


def test_anonymous_post_creates_nothing(client_for):
    response = client_for(None).post(CREATE_URL, FORM)
    assert response.status_code == 302
    assert not Customer.objects.exists()


def test_duplicate_code_is_reported_once_on_the_code_field(client_for, quality):
    CustomerFactory(code="DUP-01")
    for typed in ("DUP-01", "dup-01"):
        response = client_for(quality).post(
            reverse("customers:customer_create"), {"code": typed, "name": "Again", "segment": "sme", "status": "active"}
        )
        form = response.context["form"]
        assert response.status_code == 400
        assert form.errors == {"code": ["A customer with this code already exists."]}


def test_deleting_a_customer_without_contacts_mentions_none(client_for, quality):
    customer = CustomerFactory()
    html = client_for(quality).get(reverse("customers:customer_delete", args=[customer.pk])).content.decode()
    assert "will be deleted with it" not in html


@pytest.mark.django_db
def test_a_customer_still_referred_to_is_not_deleted_and_the_page_says_why(client_for, quality):
    from feedback.tests.factories import FeedbackItemFactory

    customer = CustomerFactory(name="Kept Ltd")
    FeedbackItemFactory(customer=customer)
    client = client_for(quality)
    response = client.post(reverse("customers:customer_delete", args=[customer.pk]))
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    (message,) = [str(item) for item in get_messages(response.wsgi_request)]
    assert message.startswith(f"{customer} was not deleted:") and "feedback" in message
    assert Customer.objects.filter(pk=customer.pk).exists()
