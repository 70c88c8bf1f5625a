"""Each role's home page and menu."""

from __future__ import annotations

import pytest

MENUS = {
    "quality": [
        "Dashboard",
        "Customers",
        "Requirements",
        "Feedback",
        "Surveys",
        "Risks",
        "KPIs",
        "Actions",
        "Reviews",
        "Audit log",
        "Evidence",
    ],
    "management": [
        "Dashboard",
        "Customers",
        "Requirements",
        "Feedback",
        "Surveys",
        "Risks",
        "KPIs",
        "Actions",
        "Reviews",
    ],
    "staff": ["Customers", "Requirements", "Feedback", "Risks", "KPIs", "Actions"],
    "auditor": [
        "Dashboard",
        "Customers",
        "Requirements",
        "Feedback",
        "Surveys",
        "Risks",
        "KPIs",
        "Actions",
        "Reviews",
        "Audit log",
        "Evidence",
    ],
    "admin": [
        "Dashboard",
        "Customers",
        "Requirements",
        "Feedback",
        "Surveys",
        "Risks",
        "KPIs",
        "Actions",
        "Reviews",
        "Audit log",
        "Evidence",
        "Users",
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(MENUS))
def test_menu_shows_each_role_what_it_may_use(role, personas, client_for):
    response = client_for(personas[role]).get("/")
    assert [item["label"] for item in response.context["menu_items"]] == MENUS[role]


@pytest.mark.django_db
def test_menu_links_follow_the_script_prefix_they_are_served_under(quality):
    from django.urls import get_script_prefix, set_script_prefix

    from qms.core.menu import items_for

    assert {item["label"]: item["url"] for item in items_for(quality)}["Customers"] == "/customers/"
    before = get_script_prefix()
    set_script_prefix("/qms/")
    try:
        assert {item["label"]: item["url"] for item in items_for(quality)}["Customers"] == "/qms/customers/"
    finally:
        set_script_prefix(before)
    assert {item["label"]: item["url"] for item in items_for(quality)}["Customers"] == "/customers/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("quality", "Import customers from CSV or Excel", "administer the portal"),
        ("management", "The customer picture at a glance", "Add a customer"),
        ("staff", "record what customers tell you", "Audit entries"),
        ("auditor", "Read-only access to every register", "Add a customer"),
        ("admin", "administer the portal", "nothing-absent"),
    ],
)
def test_home_page_is_written_for_the_role(role, present, absent, personas, client_for):
    page = client_for(personas[role]).get("/").content.decode()
    assert present in page
    assert absent not in page


@pytest.mark.django_db
def test_home_figures_count_customers(personas, client_for):
    from customers.tests.factories import CustomerFactory

    CustomerFactory.create_batch(3, status="active")
    CustomerFactory(status="inactive")
    figures = client_for(personas["management"]).get("/").context["sections"]["figures"]
    shown = {figure["label"]: figure["value"] for figure in figures}
    assert (shown["Customers"], shown["Active customers"]) == (4, 3)


@pytest.mark.django_db
def test_cell_value_uses_choice_labels_only_at_the_last_step():
    from customers.tests.factories import CustomerFactory
    from qms.core.templatetags.portal import cell_value

    customer = CustomerFactory(country="DE", status="active")
    assert (cell_value(customer, "country.code"), cell_value(customer, "status")) == ("DE", "Active")
