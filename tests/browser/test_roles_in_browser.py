"""Each role signs in through the real form, sees its badge and exactly its menu, and signs out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.browser

# fixture name -> (username, role badge, main menu in order, may add customers)
ROLES = {
    "quality": (
        "quality",
        "Quality manager",
        [
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
        True,
    ),
    "management": (
        "management",
        "Top management",
        ["Dashboard", "Customers", "Requirements", "Feedback", "Surveys", "Risks", "KPIs", "Actions", "Reviews"],
        False,
    ),
    "staff": ("staff", "Staff", ["Customers", "Requirements", "Feedback", "Risks", "KPIs", "Actions"], False),
    "auditor": (
        "auditor",
        "Auditor",
        [
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
        False,
    ),
    "superuser": (
        "admin",
        "Administrator",
        [
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
        True,
    ),
}


@pytest.mark.parametrize("persona", list(ROLES))
def test_role_sees_its_badge_menu_and_home_then_signs_out(request, portal, persona):
    username, badge, menu, may_add = ROLES[persona]
    user = request.getfixturevalue(persona)
    page = portal.page

    portal.login(username)

    expect(page.get_by_test_id("role")).to_have_text(badge)
    expect(page.locator("#main-menu ul.me-auto .nav-link")).to_have_text(menu)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.display_name}")
    expect(page.locator("main .lead .badge")).to_have_text(badge)
    expect(page.get_by_role("link", name="Add a customer")).to_have_count(1 if may_add else 0)
    if "Users" in menu:
        expect(page.get_by_role("link", name="Users", exact=True)).to_have_attribute("href", "/admin/")
    # The whole menu stays on one line at 1280 pixels, the user menu inside the window.
    menu_box = page.locator("nav.portal-navbar").bounding_box()
    user_box = page.locator("#user-menu").bounding_box()
    assert menu_box["height"] < 80 and user_box["x"] + user_box["width"] <= page.viewport_size["width"]
    page.locator("#user-menu").click()
    expect(page.locator(".dropdown-menu").get_by_role("link", name="API documentation")).to_have_attribute(
        "href", "/api/docs/"
    )
    page.keyboard.press("Escape")

    page.get_by_role("link", name="Customers", exact=True).click()
    page.wait_for_url("**/customers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    expect(page.locator("#main-menu .nav-link.active")).to_have_attribute("aria-current", "page")
    portal.snap("customers")

    portal.logout()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_count(0)
    # Signed out means signed out: the home page sends us back to the form.
    portal.page.goto("/")
    page.wait_for_url("**/accounts/login/?next=/")


def test_wrong_password_keeps_the_user_out(portal, quality):
    page = portal.page
    portal.goto("/accounts/login/", "login")
    page.get_by_label("Username").fill("quality")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("quality")
    portal.snap("login-refused")


def test_skip_link_is_the_first_tab_stop(portal, quality):
    page = portal.page
    portal.login("quality")
    for name, path in (("home", "/"), ("customer-list", "/customers/")):
        portal.goto(path, name)
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.hash]")
        assert focused == ["Skip to main content", "#main"], path
        skip = page.get_by_role("link", name="Skip to main content")
        assert skip.bounding_box()["width"] > 50  # visually hidden (1 px) until it has the focus
        portal.snap(f"{name}-skip-link-focused")

        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        assert skip.bounding_box()["width"] <= 1
        # The next Tab stop is inside the page content, not the menu again.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_login_form_has_the_focus_and_the_skip_link_is_one_step_back(portal):
    """The sign-in page puts the cursor in Username (autofocus); the skip link is still reachable."""
    page = portal.page
    portal.goto("/accounts/login/", "login")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    portal.snap("skip-link-focused")


def test_menu_and_customer_list_fit_a_phone_screen(portal, quality):
    page = portal.page
    page.set_viewport_size({"width": 390, "height": 844})
    for index in range(3):
        CustomerFactory(code=f"PHONE-{index}", name=f"Pocket Customer {index} with a rather long trading name")
    portal.login("quality")

    toggler = page.get_by_role("button", name="Show the menu")
    expect(toggler).to_be_visible()
    expect(page.get_by_role("link", name="Customers", exact=True)).to_be_hidden()
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Customers", exact=True).click()
    page.wait_for_url("**/customers/")
    portal.snap("customer-list")
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
