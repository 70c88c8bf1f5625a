"""What this app's records evidence, for the auditors' evidence packs (registered in ``ready``)."""


def register_evidence() -> None:
    """Register this app's record types with ``qms.evidence``."""
    from qms.evidence.registry import register_record_type

    from .models import Customer

    register_record_type(
        Customer,
        title="Customers",
        description="The customers whose requirements and satisfaction the QMS is focused on.",
        clauses=("5.1.2", "8.2"),
        columns=(
            ("code", "Code"),
            ("name", "Name"),
            ("segment", "Segment"),
            ("status", "Status"),
            ("country", "Country"),
            ("account_owner", "Account owner"),
            ("created_at", "Created"),
        ),
        date_field="created_at",
        related=("account_owner",),
    )
