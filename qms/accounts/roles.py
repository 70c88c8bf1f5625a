"""The portal's roles and the permissions each one holds: the single table that grants access.

Groups carry Django model permissions (``app_label.action_model``); the permission engine in
``qms.accounts.permissions`` reads them for pages, the API and the admin alike. Patterns are
matched against ``app_label.codename`` of every permission of the apps listed in ``GOVERNED_APPS``.
"""

from __future__ import annotations

from fnmatch import fnmatch

QUALITY_MANAGER = "Quality manager"
TOP_MANAGEMENT = "Top management"
STAFF = "Staff"
AUDITOR = "Auditor"
ROLE_NAMES = (QUALITY_MANAGER, TOP_MANAGEMENT, STAFF, AUDITOR)

# Apps whose permissions the roles are built from.
DOMAIN_APPS = ("customers", "requirements", "feedback", "risks", "actions", "kpis", "reviews", "evidence")
GOVERNED_APPS = (*DOMAIN_APPS, "audit", "accounts")

# Read-only actions: the only ones an auditor may ever perform.
READ_ACTIONS = frozenset({"view", "export"})

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    QUALITY_MANAGER: (
        *(f"{app}.*" for app in DOMAIN_APPS),
        "audit.view_*",
        "audit.export_*",
        "accounts.view_user",
    ),
    TOP_MANAGEMENT: (
        *(f"{app}.view_*" for app in DOMAIN_APPS),
        *(f"{app}.export_*" for app in DOMAIN_APPS),
        *(f"{app}.approve_*" for app in DOMAIN_APPS),
        "kpis.enter_*",
    ),
    STAFF: (
        *(f"{app}.view_*" for app in DOMAIN_APPS),
        "feedback.add_feedbackitem",
        "feedback.add_attachment",
        "feedback.work_*",
        "actions.work_*",
        "requirements.acknowledge_*",
        "risks.propose_*",
        "risks.work_*",
        "kpis.enter_*",
    ),
    AUDITOR: (
        *(f"{app}.view_*" for app in DOMAIN_APPS),
        *(f"{app}.export_*" for app in DOMAIN_APPS),
        "audit.view_*",
        "audit.export_*",
    ),
}


# Taken back from a role after the grants above. Survey results (who answered what) are for those who
# run or read the surveys, not for every member of staff.
ROLE_EXCLUSIONS: dict[str, tuple[str, ...]] = {
    # Accepting a risk in a band that needs approval is approved by top management, not by the quality
    # manager who runs the log.
    QUALITY_MANAGER: ("risks.approve_*",),
    # Evidence packs are made by auditors and quality managers (an export is a read, so the engine lets
    # every exporting role through unless taken back here).
    TOP_MANAGEMENT: ("evidence.export_evidenceexport",),
    STAFF: (
        # The dashboards count every complaint and survey answer; staff see only their own records.
        "kpis.*_dashboardsnapshot",
        "reviews.*",
        "feedback.*_surveytemplate",
        "feedback.*_question",
        "feedback.*_campaign",
        "feedback.*_invitation",
        "feedback.*_surveyresponse",
        "feedback.*_answer",
        "feedback.*_surveysettings",
    ),
}


def permission_keys_for(role: str, available: list[str]) -> list[str]:
    """The ``app_label.codename`` keys out of ``available`` that ``role`` is granted."""
    patterns = ROLE_PERMISSIONS[role]
    excluded = ROLE_EXCLUSIONS.get(role, ())
    keys = [
        key
        for key in available
        if any(fnmatch(key, pattern) for pattern in patterns) and not any(fnmatch(key, x) for x in excluded)
    ]
    if role == AUDITOR:
        keys = [key for key in keys if key.split(".", 1)[1].split("_", 1)[0] in READ_ACTIONS]
    return keys


def sync_role_groups(group_model, permission_model) -> None:
    """Create the role groups if missing and set each one's permissions to exactly its table row.

    Takes the model classes so that a data migration can pass its historical models.
    """
    permissions = list(
        permission_model.objects.filter(content_type__app_label__in=GOVERNED_APPS).select_related("content_type")
    )
    by_key = {f"{p.content_type.app_label}.{p.codename}": p for p in permissions}
    for role in ROLE_NAMES:
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = {by_key[key].pk for key in permission_keys_for(role, sorted(by_key))}
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)
