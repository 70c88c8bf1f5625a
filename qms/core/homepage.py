"""What each role sees first on the home page: figures and the next things to do."""

from __future__ import annotations

from django.apps import apps
from django.urls import reverse

from qms.accounts.permissions import can, role_names
from qms.accounts.roles import AUDITOR, QUALITY_MANAGER, STAFF, TOP_MANAGEMENT

_ROLE_INTRO = {
    QUALITY_MANAGER: "Keep the registers current and prepare evidence for the next review.",
    TOP_MANAGEMENT: "The customer picture at a glance: who we serve and how the system is kept.",
    STAFF: "Look up a customer, and record what customers tell you.",
    AUDITOR: "Read-only access to every register, the audit trail and exports.",
}


def home_sections(user) -> dict:
    """Figures and links for the home page, limited to what ``user`` may see."""
    customer = apps.get_model("customers", "Customer")
    audit_entry = apps.get_model("audit", "AuditEntry")
    verification = apps.get_model("audit", "AuditVerification")
    roles = role_names(user)
    intro = next((_ROLE_INTRO[role] for role in _ROLE_INTRO if role in roles), "")
    if user.is_superuser:
        intro = "You administer the portal: users, roles and configuration are in the admin."
    figures = []
    links = []
    if can(user, "view", customer):
        visible = customer.objects.restrict(user, "view")
        figures.append({"label": "Customers", "value": visible.count(), "url": reverse("customers:customer_list")})
        figures.append(
            {
                "label": "Active customers",
                "value": visible.filter(status="active").count(),
                "url": reverse("customers:customer_list") + "?status=active",
            }
        )
        links.append({"label": "Browse customers", "url": reverse("customers:customer_list")})
    if can(user, "add", customer):
        links.append({"label": "Add a customer", "url": reverse("customers:customer_create")})
    if can(user, "import", customer):
        links.append({"label": "Import customers from CSV or Excel", "url": reverse("customers:customer_import")})
    last_check = None
    if can(user, "view", audit_entry):
        figures.append(
            {
                "label": "Audit entries",
                "value": audit_entry.objects.count(),
                "url": reverse("audit:entry_list"),
            }
        )
        last_check = verification.objects.order_by("-checked_at").first()
        links.append({"label": "Read the audit log", "url": reverse("audit:entry_list")})
    links.append({"label": "API documentation", "url": reverse("api-docs")})
    return {"intro": intro, "figures": figures, "links": links, "last_check": last_check, "role": user.role}
