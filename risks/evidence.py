"""What this app's records evidence, for the auditors' evidence packs (registered in ``ready``)."""


def register_evidence() -> None:
    """Register this app's record types with ``qms.evidence``."""
    from qms.evidence.registry import register_record_type

    from .models import RiskEntry

    register_record_type(
        RiskEntry,
        title="Risks and opportunities",
        description="The scored risk and opportunity log with treatment and residual scores.",
        clauses=("5.1.2", "6.1"),
        columns=(
            ("reference", "Reference"),
            ("kind", "Kind"),
            ("title", "Title"),
            ("category", "Category"),
            ("owner", "Owner"),
            ("status", "Status"),
            ("inherent_score", "Inherent score"),
            ("inherent_band", "Inherent band"),
            ("treatment_option", "Treatment"),
            ("residual_score", "Residual score"),
            ("residual_band", "Residual band"),
            ("next_review_date", "Next review"),
            ("created_at", "Created"),
        ),
        date_field="created_at",
        related=("category", "owner"),
    )
