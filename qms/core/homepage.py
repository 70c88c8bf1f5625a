"""What each role sees first on the home page: figures and the next things to do.

Core never imports the registers: each app registers a contributor in ``AppConfig.ready`` that returns
the figures and links a given user may see (``register_contributor(order, func)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse

from qms.accounts.permissions import can, role_names
from qms.accounts.roles import AUDITOR, QUALITY_MANAGER, STAFF, TOP_MANAGEMENT

from . import rollups

_ROLE_INTRO = {
    QUALITY_MANAGER: "Keep the registers current and prepare evidence for the next review.",
    TOP_MANAGEMENT: "The customer picture at a glance: who we serve and how the system is kept.",
    STAFF: "Look up a customer, and record what customers tell you.",
    AUDITOR: "Read-only access to every register, the audit trail and exports.",
}


@dataclass
class HomeContribution:
    figures: list[dict] = field(default_factory=list)  # {"label", "value", "url"}
    links: list[dict] = field(default_factory=list)  # {"label", "url"}


_contributors: list[tuple[int, Callable]] = []


def register_contributor(order: int, contributor: Callable) -> None:
    """``contributor(user) -> HomeContribution`` adds figures and links the user may see."""
    if all(existing is not contributor for _, existing in _contributors):
        _contributors.append((order, contributor))


def _audit_summary() -> tuple[int, object | None]:
    """The number of audit entries and the last verification of the chain, in one query. The chain head's
    sequence number is the number of entries (none is ever deleted): one row read instead of counting
    millions; the last verification's fields come with it."""
    from django.db.models import Subquery

    head = apps.get_model("audit", "AuditChainHead")
    verification = apps.get_model("audit", "AuditVerification")
    latest = verification.objects.order_by("-checked_at", "-pk")
    fields = ("pk", "checked_at", "entries_checked", "intact", "first_broken_seq", "message", "checked_by")
    row = (
        head.objects.annotate(**{f"check_{name}": Subquery(latest.values(name)[:1]) for name in fields})
        .values("seq", *(f"check_{name}" for name in fields))
        .first()
    )
    if row is None:  # nothing recorded yet
        return 0, None
    if row["check_pk"] is None:
        return row["seq"], None
    return row["seq"], verification(**{name: row[f"check_{name}"] for name in fields})


def home_sections(user) -> dict:
    """Figures and links for the home page, limited to what ``user`` may see."""
    roles = role_names(user)
    intro = next((_ROLE_INTRO[role] for role in _ROLE_INTRO if role in roles), "")
    if user.is_superuser:
        intro = "You administer the portal: users, roles and configuration are in the admin."
    figures, links = [], []
    with rollups.batch():  # every register's stored figures in one query
        for _, contributor in sorted(_contributors, key=lambda item: item[0]):
            part = contributor(user)
            figures += part.figures
            links += part.links
    last_check = None
    if can(user, "view", apps.get_model("audit", "AuditEntry")):
        entries, last_check = _audit_summary()
        figures.append({"label": "Audit entries", "value": entries, "url": reverse("audit:entry_list")})
        links.append({"label": "Read the audit log", "url": reverse("audit:entry_list")})
    links.append({"label": "API documentation", "url": reverse("api-docs")})
    return {"intro": intro, "figures": figures, "links": links, "last_check": last_check, "role": user.role}
