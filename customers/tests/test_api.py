"""The customer register's API: the same rules as the pages, answered in JSON."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from customers.models import Contact, Customer
from customers.tests.factories import ContactFactory, CustomerFactory
from qms.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

CUSTOMERS = reverse("api:customer-list")
CONTACTS = reverse("api:contact-list")
TOKEN = reverse("api:auth_token")
READ_ONLY_ROLES = ["management", "staff", "auditor"]
NEW = {"code": "ACME-01", "name": "Acme Ltd", "segment": "enterprise", "status": "active", "country": "GB"}

# The user's permissions (two queries), the count and the page; pinned so a query per row fails it.
LIST_QUERY_BUDGET = 4


def customer_url(customer) -> str:
    return reverse("api:customer-detail", args=[customer.pk])


def contact_url(contact) -> str:
    return reverse("api:contact-detail", args=[contact.pk])


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def entries_since(seq: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=seq).order_by("seq"))


def snapshot_register() -> list[tuple]:
    return [
        *Customer.objects.order_by("pk").values_list("pk", "code", "name", "segment", "status", "country", "notes"),
        *Contact.objects.order_by("pk").values_list("pk", "customer", "name", "email", "role"),
    ]


@pytest.fixture
def register(staff):
    acme = CustomerFactory(
        code="ACME-01", name="Acme", segment="enterprise", status="active", country="GB", account_owner=staff
    )
    ContactFactory(customer=acme, name="Priya Shah", email="priya@acme.example")
    ContactFactory(customer=acme, name="Tom Becker", email="tom@acme.example")
    nord = CustomerFactory(code="NORD-02", name="Nord", segment="public", status="inactive", country="DE")
    ContactFactory(customer=nord, name="Jana Vogel", email="jana@nord.example")
    CustomerFactory(code="BELL-04", name="Bell", segment="public", status="active", country="IE")
    return {"acme": acme, "nord": nord}


# Reading


def test_list_is_paginated_with_count_and_results(api_client_for, quality, register):
    body = api_client_for(quality).get(CUSTOMERS, {"page_size": 2}).json()
    assert body["count"] == 3
    assert [row["code"] for row in body["results"]] == ["ACME-01", "BELL-04"]
    # The next page starts after this page's last row (a keyset cursor), keeping the page size.
    assert "cursor=" in body["next"] and body["next"].endswith("page_size=2") and "page=" not in body["next"][:-11]
    second = api_client_for(quality).get(body["next"]).json()
    assert [row["code"] for row in second["results"]] == ["NORD-02"]
    assert second["count"] == 3 and second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/customers/?page_size=2"


def test_second_page_holds_the_rest(api_client_for, quality, register):
    body = api_client_for(quality).get(CUSTOMERS, {"page_size": 2, "page": 2}).json()
    assert [row["code"] for row in body["results"]] == ["NORD-02"]
    assert body["next"] is None


def test_list_row_shows_the_customer_with_owner_username_and_contact_count(api_client_for, quality, register):
    [row] = api_client_for(quality).get(CUSTOMERS, {"q": "ACME-01"}).json()["results"]
    assert {key: row[key] for key in ("code", "name", "segment", "status", "country", "account_owner")} == {
        "code": "ACME-01",
        "name": "Acme",
        "segment": "enterprise",
        "status": "active",
        "country": "GB",
        "account_owner": "staff",
    }
    assert row["contact_count"] == 2
    assert row["url"].endswith(customer_url(register["acme"]))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "acme"}, ["ACME-01"]),
        ({"q": "jana@nord"}, ["NORD-02"]),
        ({"q": ".example"}, ["ACME-01", "NORD-02"]),
        ({"status": "active"}, ["ACME-01", "BELL-04"]),
        ({"segment": "public"}, ["BELL-04", "NORD-02"]),
        ({"segment": "public", "status": "active"}, ["BELL-04"]),
        ({"country": "DE"}, ["NORD-02"]),
    ],
)
def test_list_filters(api_client_for, quality, register, filters, expected):
    body = api_client_for(quality).get(CUSTOMERS, filters).json()
    assert [row["code"] for row in body["results"]] == expected
    assert body["count"] == len(expected)


def test_search_on_contacts_keeps_the_contact_count_right(api_client_for, quality, register):
    [row] = api_client_for(quality).get(CUSTOMERS, {"q": "acme.example"}).json()["results"]
    assert row["contact_count"] == 2


def test_unknown_filter_value_is_refused_naming_the_filter(api_client_for, quality, register):
    response = api_client_for(quality).get(CUSTOMERS, {"status": "dormant"})
    assert response.status_code == 400
    assert "status" in response.json()["detail"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("code", ["ACME-01", "BELL-04", "NORD-02"]),
        ("-code", ["NORD-02", "BELL-04", "ACME-01"]),
        ("-name", ["NORD-02", "BELL-04", "ACME-01"]),
        ("country", ["NORD-02", "ACME-01", "BELL-04"]),
        ("not_a_field", ["ACME-01", "BELL-04", "NORD-02"]),
    ],
)
def test_list_ordering(api_client_for, quality, register, ordering, expected):
    body = api_client_for(quality).get(CUSTOMERS, {"ordering": ordering}).json()
    assert [row["code"] for row in body["results"]] == expected


def test_detail_returns_the_customer(api_client_for, quality, register):
    body = api_client_for(quality).get(customer_url(register["nord"])).json()
    assert (body["code"], body["contact_count"]) == ("NORD-02", 1)


def test_unknown_customer_is_404_with_detail(api_client_for, quality):
    response = api_client_for(quality).get(reverse("api:customer-detail", args=[999999]))
    assert response.status_code == 404
    assert response.json()["detail"] == "No such record, or you may not see it."


@pytest.mark.parametrize("role", ["quality", "management", "staff", "auditor", "admin"])
def test_every_role_may_read(api_client_for, user_in_role, register, role):
    client = api_client_for(user_in_role(role))
    assert client.get(CUSTOMERS).json()["count"] == 3
    assert client.get(CONTACTS).json()["count"] == 3


@pytest.mark.parametrize("url", [CUSTOMERS, CONTACTS])
def test_anonymous_is_asked_to_authenticate(api_client_for, register, url):
    response = api_client_for(None).get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "Authentication credentials were not provided."


@pytest.mark.parametrize("rows", [5, 30])
def test_list_query_count_does_not_grow_with_rows(api_client_for, quality, django_assert_max_num_queries, rows):
    for number in range(rows):
        owner = get_user_model().objects.create_user(username=f"owner{number}")
        ContactFactory.create_batch(2, customer=CustomerFactory(account_owner=owner))
    client = api_client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        body = client.get(CUSTOMERS).json()
    assert len(body["results"]) == rows


@pytest.mark.parametrize("rows", [5, 30])
def test_contact_list_query_count_does_not_grow_with_rows(api_client_for, quality, django_assert_max_num_queries, rows):
    for _ in range(rows):
        ContactFactory(customer=CustomerFactory())
    client = api_client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        body = client.get(CONTACTS).json()
    assert len(body["results"]) == rows


# Writing customers


def test_quality_manager_creates_a_customer(api_client_for, quality):
    response = api_client_for(quality).post(CUSTOMERS, {**NEW, "account_owner": "quality"}, format="json")
    assert response.status_code == 201
    customer = Customer.objects.get()
    assert (customer.code, customer.name, customer.account_owner) == ("ACME-01", "Acme Ltd", quality)
    assert response.json()["id"] == customer.pk


def test_create_writes_one_audit_entry_from_the_api(api_client_for, quality):
    since = last_seq()
    api_client_for(quality).post(CUSTOMERS, NEW, format="json")
    [entry] = entries_since(since)
    assert (entry.action, entry.content_type, entry.source, entry.actor_id) == (
        "create",
        "customers.customer",
        "api",
        quality.pk,
    )


def test_create_upper_cases_the_code(api_client_for, quality):
    response = api_client_for(quality).post(CUSTOMERS, {**NEW, "code": "acme-01"}, format="json")
    assert response.status_code == 201
    assert response.json()["code"] == "ACME-01"
    assert Customer.objects.get().code == "ACME-01"


def test_patch_changes_only_the_given_fields_with_one_audit_entry(api_client_for, quality, register):
    acme = register["acme"]
    since = last_seq()
    response = api_client_for(quality).patch(customer_url(acme), {"status": "inactive"}, format="json")
    assert response.status_code == 200
    acme.refresh_from_db()
    assert (acme.status, acme.name, acme.segment) == ("inactive", "Acme", "enterprise")
    [entry] = entries_since(since)
    assert (entry.action, entry.source) == ("update", "api")
    assert entry.changes["status"] == ["active", "inactive"]


def test_put_replaces_the_customer(api_client_for, quality, register):
    acme = register["acme"]
    response = api_client_for(quality).put(
        customer_url(acme), {**NEW, "name": "Acme Renamed", "account_owner": None}, format="json"
    )
    assert response.status_code == 200
    acme.refresh_from_db()
    assert (acme.name, acme.account_owner) == ("Acme Renamed", None)


def test_delete_removes_the_customer_and_contacts_each_audited_from_the_api(api_client_for, quality, register):
    acme = register["acme"]
    expected = {("customers.customer", str(acme.pk))} | {
        ("customers.contact", str(pk)) for pk in acme.contacts.values_list("pk", flat=True)
    }
    since = last_seq()
    response = api_client_for(quality).delete(customer_url(acme))
    assert response.status_code == 204
    assert not Customer.objects.filter(code="ACME-01").exists()
    entries = entries_since(since)
    assert {(entry.action, entry.source) for entry in entries} == {("delete", "api")}
    assert {(entry.content_type, entry.object_id) for entry in entries} == expected


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only_roles_cannot_write_customers(api_client_for, user_in_role, register, role, method):
    client = api_client_for(user_in_role(role))
    before, since = snapshot_register(), last_seq()
    url = CUSTOMERS if method == "post" else customer_url(register["acme"])
    response = getattr(client, method)(url, {**NEW, "code": "NEW-01"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You do not have permission to perform this action."
    assert snapshot_register() == before
    assert entries_since(since) == []


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_anonymous_cannot_write(api_client_for, register, method):
    before = snapshot_register()
    url = CUSTOMERS if method == "post" else customer_url(register["acme"])
    response = getattr(api_client_for(None), method)(url, NEW, format="json")
    assert response.status_code == 401
    assert snapshot_register() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"code": "AC ME"}, "code"),
        ({"code": "x" * 40}, "code"),
        ({"segment": "martian"}, "segment"),
        ({"status": "dormant"}, "status"),
        ({"country": "XX"}, "country"),
        ({"account_owner": "nobody"}, "account_owner"),
    ],
)
def test_invalid_create_is_400_naming_the_field(api_client_for, quality, change, field):
    response = api_client_for(quality).post(CUSTOMERS, {**NEW, **change}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["detail"].startswith(f"Invalid input. {field}: ")
    assert list(body["errors"]) == [field]
    assert not Customer.objects.exists()


def test_missing_name_is_400_naming_the_field(api_client_for, quality):
    response = api_client_for(quality).post(CUSTOMERS, {"code": "ACME-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["This field is required."]}


@pytest.mark.parametrize("code", ["acme-01", "Acme-01", "ACME-01"])
def test_duplicate_code_in_any_case_is_400_naming_the_code(api_client_for, quality, register, code):
    before = snapshot_register()
    response = api_client_for(quality).post(CUSTOMERS, {**NEW, "code": code}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["detail"].startswith("Invalid input. code: ")
    assert "already exists" in body["detail"]
    assert list(body["errors"]) == ["code"]
    assert snapshot_register() == before


def test_changing_the_code_to_another_customers_is_400_and_changes_nothing(api_client_for, quality, register):
    before = snapshot_register()
    response = api_client_for(quality).patch(customer_url(register["acme"]), {"code": "nord-02"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["code"]
    assert snapshot_register() == before


# Contacts


def test_contact_list_filters_by_customer(api_client_for, quality, register):
    body = api_client_for(quality).get(CONTACTS, {"customer": register["acme"].pk}).json()
    assert [row["name"] for row in body["results"]] == ["Priya Shah", "Tom Becker"]
    assert {row["customer_code"] for row in body["results"]} == {"ACME-01"}


def test_contact_list_searches_name_and_email(api_client_for, quality, register):
    body = api_client_for(quality).get(CONTACTS, {"q": "jana@"}).json()
    assert [row["name"] for row in body["results"]] == ["Jana Vogel"]


def test_quality_manager_adds_a_contact_audited_from_the_api(api_client_for, quality, register):
    acme = register["acme"]
    since = last_seq()
    response = api_client_for(quality).post(
        CONTACTS, {"customer": acme.pk, "name": "Dana Kim", "email": "dana@acme.example"}, format="json"
    )
    assert response.status_code == 201
    assert acme.contacts.filter(name="Dana Kim").exists()
    [entry] = entries_since(since)
    assert (entry.action, entry.content_type, entry.source) == ("create", "customers.contact", "api")


def test_contact_email_already_at_the_customer_is_400_naming_the_email(api_client_for, quality, register):
    before = snapshot_register()
    response = api_client_for(quality).post(
        CONTACTS, {"customer": register["acme"].pk, "name": "Copy", "email": "priya@acme.example"}, format="json"
    )
    body = response.json()
    assert response.status_code == 400
    assert body["detail"] == "Invalid input. email: This customer already has a contact with this e-mail address."
    assert list(body["errors"]) == ["email"]
    assert snapshot_register() == before


def test_contact_for_an_unknown_customer_is_400_naming_the_customer(api_client_for, quality):
    response = api_client_for(quality).post(CONTACTS, {"customer": 999999, "name": "Nobody"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["customer"]


def test_contact_patch_changes_it_with_one_audit_entry(api_client_for, quality, register):
    contact = register["acme"].contacts.get(name="Tom Becker")
    since = last_seq()
    response = api_client_for(quality).patch(contact_url(contact), {"survey_opt_out": True}, format="json")
    assert response.status_code == 200
    assert Contact.objects.get(pk=contact.pk).survey_opt_out is True
    [entry] = entries_since(since)
    assert entry.changes["survey_opt_out"] == [False, True]


def test_contact_delete_removes_it_audited_from_the_api(api_client_for, quality, register):
    contact = register["acme"].contacts.get(name="Tom Becker")
    contact_id = contact.pk
    since = last_seq()
    assert api_client_for(quality).delete(contact_url(contact)).status_code == 204
    assert not Contact.objects.filter(pk=contact_id).exists()
    [entry] = entries_since(since)
    assert (entry.action, entry.object_id, entry.source) == ("delete", str(contact_id), "api")


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_read_only_roles_cannot_write_contacts(api_client_for, user_in_role, register, role, method):
    client = api_client_for(user_in_role(role))
    before, since = snapshot_register(), last_seq()
    contact = register["acme"].contacts.first()
    url = CONTACTS if method == "post" else contact_url(contact)
    data = {"customer": register["acme"].pk, "name": "Sneaky", "email": "sneaky@acme.example"}
    response = getattr(client, method)(url, data, format="json")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert snapshot_register() == before
    assert entries_since(since) == []


# Token authentication


@pytest.fixture
def own_throttle_cache(settings):
    """The token endpoint is throttled through the cache; a private one keeps other runs' counts out."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "customers-api-tests"}
    }


def test_token_from_username_and_password_lets_a_client_list_customers(own_throttle_cache, auditor, register):
    client = APIClient()
    response = client.post(TOKEN, {"username": "auditor", "password": "pw-auditor"}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(CUSTOMERS).json()["count"] == 3


def test_token_keeps_the_users_role(own_throttle_cache, auditor, register):
    client = APIClient()
    token = client.post(TOKEN, {"username": "auditor", "password": "pw-auditor"}, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post(CUSTOMERS, NEW, format="json").status_code == 403
    assert not Customer.objects.filter(code="ACME-01", name="Acme Ltd").exists()


def test_wrong_password_gets_no_token_and_a_detail(own_throttle_cache, auditor):
    response = APIClient().post(TOKEN, {"username": "auditor", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input. Unable to log in with provided credentials."
    assert "token" not in response.json()


def test_unknown_token_is_refused(register):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get(CUSTOMERS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_token_exchange_is_rate_limited_per_client(own_throttle_cache, auditor):
    """The "token" scope's rate (20 a minute): the next request is answered 429 with Retry-After."""
    from django.core.cache import cache

    cache.clear()  # the private cache outlives a test: earlier token tests' requests are in it
    client = APIClient()
    answers = [
        client.post(TOKEN, {"username": "auditor", "password": "pw-auditor"}, format="json").status_code
        for _ in range(20)
    ]
    assert answers == [200] * 20
    refused = client.post(TOKEN, {"username": "auditor", "password": "pw-auditor"}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()
