"""The main menu: each app registers its entries in ``AppConfig.ready``; each user sees what they may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from qms.accounts.permissions import can


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    model: str  # "app_label.model_name" the entry lists
    action: str = "view"
    order: int = 50


_items: list[MenuItem] = []


def register(item: MenuItem) -> None:
    if item not in _items:
        _items.append(item)


def items_for(user) -> list[dict]:
    entries = []
    for item in sorted(_items, key=lambda entry: (entry.order, entry.label)):
        if can(user, item.action, apps.get_model(item.model)):
            entries.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name})
    return entries
