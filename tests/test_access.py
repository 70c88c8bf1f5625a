"""Who may open what: every URL pattern of the portal, for every role.

The table must name every URL pattern; a new page or endpoint without a rule fails
``test_every_url_pattern_has_an_access_rule``, so nothing is added open by accident.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from customers.tests.factories import ContactFactory

ROLES = ("anon", "quality", "management", "staff", "auditor", "admin")

ALL = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**ALL, "anon": 302}
REGISTER_WRITE = {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200}
AUDIT_READ = {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 200, "admin": 200}
API_READ = {**dict.fromkeys(ROLES, 200), "anon": 401}
EVERYONE_REDIRECTED_BUT_ANON = {**dict.fromkeys(ROLES, 302), "anon": 200}

# url name -> expected GET status per role
GET_RULES: dict[str, dict[str, int]] = {
    "home": SIGNED_IN,
    "healthz": ALL,
    "accounts:login": EVERYONE_REDIRECTED_BUT_ANON,
    "accounts:logout": dict.fromkeys(ROLES, 405),  # sign-out is a POST
    "accounts:password_change": SIGNED_IN,
    "accounts:password_change_done": SIGNED_IN,
    "accounts:password_reset": ALL,
    "accounts:password_reset_done": ALL,
    "accounts:password_reset_confirm": ALL,  # shows "link invalid" for a bad token
    "accounts:password_reset_complete": ALL,
    "customers:customer_list": SIGNED_IN,
    "customers:customer_detail": SIGNED_IN,
    "customers:customer_create": REGISTER_WRITE,
    "customers:customer_update": REGISTER_WRITE,
    "customers:customer_delete": REGISTER_WRITE,
    "customers:customer_import": REGISTER_WRITE,
    "customers:contact_create": REGISTER_WRITE,
    "customers:contact_update": REGISTER_WRITE,
    "customers:contact_delete": REGISTER_WRITE,
    "audit:entry_list": AUDIT_READ,
    "audit:entry_detail": AUDIT_READ,
    "api:auth_token": dict.fromkeys(ROLES, 405),  # POST only
    "api:customer-list": API_READ,
    "api:customer-detail": API_READ,
    "api:contact-list": API_READ,
    "api:contact-detail": API_READ,
    "api-schema": API_READ,
    "api-docs": API_READ,
    "api-redoc": API_READ,
}
# The admin is for administrators; others are sent to its login page.
ADMIN_RULE = {**dict.fromkeys(ROLES, 302), "admin": 200}
ADMIN_SAMPLES = [
    "admin:index",
    "admin:customers_customer_changelist",
    "admin:audit_auditentry_changelist",
    "admin:accounts_user_changelist",
]


def _named_patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _named_patterns(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def test_every_url_pattern_has_an_access_rule():
    names = set(_named_patterns(get_resolver().url_patterns))
    missing = sorted(name for name in names if not name.startswith("admin:") and name not in GET_RULES)
    assert not missing, f"Add these URL names to the access table in {__file__}: {missing}"
    stale = sorted(set(GET_RULES) - names)
    assert not stale, f"The access table names URLs that no longer exist: {stale}"


@pytest.fixture
def url_kwargs(db):
    from qms.audit.models import AuditEntry

    contact = ContactFactory()
    entry = AuditEntry.objects.order_by("seq").first()
    return {
        "pk": contact.customer_id,
        "contact_pk": contact.pk,
        "uidb64": "MQ",
        "token": "invalid-token",
        "audit_pk": entry.pk,
    }


def _url_for(name: str, kwargs: dict) -> str:
    from django.urls import NoReverseMatch, reverse

    pattern_kwargs = {
        "audit:entry_detail": {"pk": kwargs["audit_pk"]},
        "customers:contact_update": {"pk": kwargs["pk"], "contact_pk": kwargs["contact_pk"]},
        "customers:contact_delete": {"pk": kwargs["pk"], "contact_pk": kwargs["contact_pk"]},
        "accounts:password_reset_confirm": {"uidb64": kwargs["uidb64"], "token": kwargs["token"]},
        "api:contact-detail": {"pk": kwargs["contact_pk"]},
    }
    if name in pattern_kwargs:
        return reverse(name, kwargs=pattern_kwargs[name])
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse(name, kwargs={"pk": kwargs["pk"]})


@pytest.mark.parametrize("name", sorted(GET_RULES))
def test_get_access_for_every_role(name, personas, url_kwargs, client):
    url = _url_for(name, url_kwargs)
    for role in ROLES:
        client.logout()
        if role != "anon":
            client.force_login(personas[role])
        response = client.get(url)
        expected = GET_RULES[name][role]
        assert response.status_code == expected, f"{role} GET {url}: {response.status_code}, expected {expected}"


@pytest.mark.parametrize("name", ADMIN_SAMPLES)
def test_admin_is_for_administrators_only(name, personas, client):
    from django.urls import reverse

    url = reverse(name)
    for role in ROLES:
        client.logout()
        if role != "anon":
            client.force_login(personas[role])
        assert client.get(url).status_code == ADMIN_RULE[role], f"{role} GET {url}"


# Writes: (url name, method, allowed roles). Allowed roles must not get 401/403; others must.
WRITE_RULES = [
    ("customers:customer_create", "post", {"quality", "admin"}),
    ("customers:customer_update", "post", {"quality", "admin"}),
    ("customers:customer_delete", "post", {"quality", "admin"}),
    ("customers:customer_import", "post", {"quality", "admin"}),
    ("customers:contact_create", "post", {"quality", "admin"}),
    ("customers:contact_update", "post", {"quality", "admin"}),
    ("customers:contact_delete", "post", {"quality", "admin"}),
    ("api:customer-list", "post", {"quality", "admin"}),
    ("api:customer-detail", "patch", {"quality", "admin"}),
    ("api:customer-detail", "delete", {"quality", "admin"}),
    ("api:contact-list", "post", {"quality", "admin"}),
    ("api:contact-detail", "patch", {"quality", "admin"}),
    ("api:contact-detail", "delete", {"quality", "admin"}),
]


def _send(client, name, method, url, data):
    if name.startswith("api:"):
        return getattr(client, method)(url, data=data, content_type="application/json")
    return client.post(url, data=data)


@pytest.mark.parametrize(("name", "method", "allowed"), WRITE_RULES)
@pytest.mark.parametrize("role", [role for role in ROLES if role not in {"quality", "admin"}])
def test_writes_are_refused_to_roles_without_permission(name, method, allowed, role, personas, url_kwargs, client):
    from customers.models import Contact, Customer
    from qms.audit.models import AuditEntry

    before = (Customer.objects.count(), Contact.objects.count(), AuditEntry.objects.count())
    if role != "anon":
        client.force_login(personas[role])
    url = _url_for(name, url_kwargs)
    response = _send(client, name, method, url, {"name": "Changed"})
    expected = {401, 403} if name.startswith("api:") else ({302} if role == "anon" else {403})
    assert response.status_code in expected, f"{role} {method.upper()} {url}: {response.status_code}"
    assert (Customer.objects.count(), Contact.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(("name", "method", "allowed"), WRITE_RULES)
def test_writes_are_open_to_roles_with_permission(name, method, allowed, personas, url_kwargs, client):
    for role in sorted(allowed):
        client.force_login(personas[role])
        url = _url_for(name, url_kwargs)
        response = _send(client, name, method, url, {})
        assert response.status_code not in {401, 403, 405}, f"{role} {method.upper()} {url}"
        if method == "delete" or name.endswith("_delete"):
            break  # the record is gone for the next role
