"""What this app's records evidence, for the auditors' evidence packs (registered in ``ready``)."""


def register_evidence() -> None:
    """Register this app's record types with ``qms.evidence``."""
    from qms.evidence.registry import register_record_type

    from .models import Action

    register_record_type(
        Action,
        title="Actions",
        description="Corrective, preventive and improvement actions with owners, due dates and effectiveness checks.",
        clauses=("6.1", "10.2"),
        columns=(
            ("kind", "Kind"),
            ("title", "Title"),
            ("owner", "Owner"),
            ("due_date", "Due"),
            ("status", "Status"),
            ("source_label", "Source"),
            ("completed_at", "Completed"),
            ("check_planned_on", "Effectiveness check planned"),
            ("checked_at", "Checked"),
            ("created_at", "Created"),
        ),
        date_field="created_at",
        related=("owner",),
    )
