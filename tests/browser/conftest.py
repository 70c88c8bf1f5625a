"""Browser fixtures: Debian's Chromium driven by sync Playwright against pytest-django's live server.

Every page a test looks at goes through ``PortalBrowser.snap``: a full-page screenshot under
``test-artifacts/screenshots/`` plus the checks every page must pass (no request leaves the server,
no console error, Bootstrap's CSS applied, htmx and Bootstrap's JS loaded).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API keeps an event loop in the test thread; Django would refuse ORM calls there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect  # noqa: E402

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Schemes that never reach the network (Bootstrap's inline SVG icons are data: URLs).
LOCAL_SCHEMES = {"data", "blob", "about"}
FAILED_RESOURCE = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots() -> None:
    """Only this run's screenshots, so none left over from a renamed test is mistaken for current."""
    if SCREENSHOT_DIR.is_dir():
        for old in SCREENSHOT_DIR.glob("*.png"):
            old.unlink()


@pytest.fixture(scope="session")
def _chromium_launcher() -> Iterator:
    """Launches Chromium once per session, on first use (so ``chromium_path`` can skip or fail first)."""
    from playwright.sync_api import sync_playwright

    state: dict = {}

    def launch(executable_path: str) -> Browser:
        if "browser" not in state:
            state["playwright"] = sync_playwright().start()
            state["browser"] = state["playwright"].chromium.launch(
                executable_path=executable_path, headless=True, args=CHROMIUM_ARGS
            )
        return state["browser"]

    yield launch
    if state:
        state["browser"].close()
        state["playwright"].stop()


@pytest.fixture
def browser(chromium_path, _chromium_launcher) -> Browser:
    """The session's one Chromium process."""
    return _chromium_launcher(chromium_path)


@pytest.fixture
def context(browser: Browser, live_server, transactional_db) -> Iterator[BrowserContext]:
    """A fresh profile per test: no cookies carried over from another test."""
    ctx = browser.new_context(base_url=live_server.url, accept_downloads=True, viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


class PortalBrowser:
    """A page with what the tests need: sign-in, screenshots and the every-page checks."""

    def __init__(self, page: Page, base_url: str, prefix: str):
        self.page = page
        self.base_url = base_url
        self.netloc = urlsplit(base_url).netloc
        self.prefix = prefix
        self.shots = 0
        self.requests: list[str] = []
        self.console_errors: list[tuple[str, str]] = []  # (text, URL of the resource or page)
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append((f"Uncaught: {error}", page.url)))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append((message.text, message.location.get("url", "")))

    # Navigation ---------------------------------------------------------------------------------

    def goto(self, path: str, name: str, *, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == status, (
            f"GET {path}: {response.status if response else 'no response'}"
        )
        self.snap(name, status=status)

    def login(self, username: str, password: str | None = None) -> None:
        """Sign in through the real form, as a person would."""
        self.goto("/accounts/login/", "login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password or f"pw-{username}")
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.base_url + "/")
        self.snap("home")

    def logout(self) -> None:
        self.page.locator("#user-menu").click()
        sign_out = self.page.get_by_role("button", name="Sign out")
        expect(sign_out).to_be_visible()
        sign_out.click()
        self.page.wait_for_url(re.compile(r"/accounts/login/"))
        self.snap("signed-out")

    # Every page ---------------------------------------------------------------------------------

    def snap(self, name: str, *, status: int = 200) -> Path:
        """Screenshot the whole page, then check it; ``status`` is the HTTP status the page had."""
        self.shots += 1
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        # Parts that load after the page (a record's history) are in the picture: a loader that never
        # finishes fails here.
        expect(self.page.locator('[aria-busy="true"]')).to_have_count(0, timeout=10_000)
        path = SCREENSHOT_DIR / f"{self.prefix}--{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.check_page(expected_status=status)
        return path

    def check_page(self, *, expected_status: int = 200) -> None:
        self.check_requests()
        errors = [
            (text, url) for text, url in self.console_errors if not self._expected_failure(text, url, expected_status)
        ]
        assert not errors, f"console errors on {self.page.url}: {errors}"
        self.console_errors.clear()
        looks = self.page.evaluate(
            """() => ({
                navbar: getComputedStyle(document.querySelector('nav.navbar')).backgroundColor,
                primary: getComputedStyle(document.documentElement).getPropertyValue('--bs-primary').trim(),
                htmx: typeof window.htmx !== 'undefined' ? window.htmx.version : null,
                bootstrapJs: typeof window.bootstrap !== 'undefined',
            })"""
        )
        assert looks["navbar"] not in ("", "transparent", "rgba(0, 0, 0, 0)"), f"Bootstrap CSS not applied: {looks}"
        assert looks["primary"], f"Bootstrap's CSS variables missing: {looks}"
        assert looks["htmx"] and looks["htmx"].startswith("2."), f"htmx 2 not loaded: {looks}"
        assert looks["bootstrapJs"], f"Bootstrap's JS not loaded: {looks}"

    def check_requests(self) -> None:
        """Every request the page made went to the live server (or never left the browser)."""
        outside = [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != self.netloc
        ]
        assert not outside, f"requests left the server: {outside}"

    def _expected_failure(self, text: str, url: str, expected_status: int) -> bool:
        """The browser logs the page's own 4xx status as a console error; that one was asked for."""
        match = FAILED_RESOURCE.search(text)
        return bool(match) and int(match.group(1)) == expected_status != 200 and url == self.page.url


@pytest.fixture
def portal(page: Page, live_server, request) -> Iterator[PortalBrowser]:
    # pytest-playwright adds a "browser_name" parameter to every test using ``page``: always chromium here.
    label = request.node.name.removeprefix("test_").replace("[chromium-", "[").replace("[chromium]", "")
    prefix = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")
    helper = PortalBrowser(page, live_server.url, prefix)
    yield helper
    helper.check_requests()
    # The recording worked: the pages and their vendored assets came from the live server.
    for asset in ("/static/vendor/bootstrap/bootstrap.min.css", "/static/vendor/htmx/htmx.min.js"):
        assert helper.base_url + asset in helper.requests, f"{asset} was never requested"
