"""The portal runs on closed networks: every asset comes from its own static files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)
VENDORED = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/bootstrap/LICENSE",
    "vendor/htmx/htmx.min.js",
    "vendor/htmx/LICENSE",
    "vendor/chartjs/chart.umd.min.js",
    "vendor/chartjs/LICENSE.md",
]


def template_files():
    return [
        path
        for path in ROOT.rglob("*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts and "staticfiles" not in path.parts
    ]


def test_templates_exist_to_check():
    assert len(template_files()) >= 15


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_loads_anything_from_another_server(path):
    assert not EXTERNAL.search(path.read_text()), f"{path} links to an outside URL"


@pytest.mark.parametrize("name", VENDORED)
def test_vendored_libraries_are_served_by_the_portal(name):
    assert finders.find(name), f"static/{name} is missing; run scripts/vendor_static"


def test_source_maps_named_by_vendored_files_exist():
    """WhiteNoise's manifest storage fails collectstatic on a missing .map (STACK-NOTES trap 1)."""
    for path in (ROOT / "static" / "vendor").rglob("*.min.*"):
        if path.suffix == ".map":
            continue
        for ref in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="ignore")):
            assert (path.parent / ref).exists(), f"{path} names {ref}, which is not vendored"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/customers/", "/audit/", "/accounts/password/change/", "/api/docs/"])
def test_rendered_pages_reference_only_local_assets(url, client_for, quality):
    page = client_for(quality).get(url).content.decode()
    assert not EXTERNAL.search(page)
    for asset in re.findall(r"""(?:src|href)=["']/static/([^"'?#]+)""", page):
        assert finders.find(asset), f"{url} references /static/{asset}, which does not exist"
