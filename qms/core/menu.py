"""The main menu: each app registers its entries in ``AppConfig.ready``; each user sees what they may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from qms.accounts.permissions import can


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    model: str  # "app_label.model_name" the entry lists
    action: str = "view"
    order: int = 50


_items: list[MenuItem] = []
# Menu links by (URLconf, script prefix, name): reversed once, not on every page.
_links: dict[tuple, str] = {}


def register(item: MenuItem) -> None:
    if item not in _items:
        _items.append(item)


def _link(url_name: str) -> str:
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)
    link = _links.get(key)
    if link is None:
        link = _links[key] = reverse(url_name)
    return link


def items_for(user) -> list[dict]:
    entries = []
    for item in sorted(_items, key=lambda entry: (entry.order, entry.label)):
        if can(user, item.action, apps.get_model(item.model)):
            entries.append({"label": item.label, "url": _link(item.url_name), "url_name": item.url_name})
    return entries
