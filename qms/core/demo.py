"""Demo data: each app registers a seeder in ``AppConfig.ready``; ``seed_demo`` runs them in order."""

from __future__ import annotations

from collections.abc import Callable

DEMO_PASSWORD = "qms-demo"
_seeders: list[tuple[int, str, Callable[[], str]]] = []


def register_seeder(order: int, name: str, seeder: Callable[[], str]) -> None:
    """``seeder()`` must be idempotent and return a one-line summary of what it did."""
    if all(existing != name for _, existing, _ in _seeders):
        _seeders.append((order, name, seeder))


def seeders() -> list[tuple[int, str, Callable[[], str]]]:
    return sorted(_seeders, key=lambda item: item[0])
