"""What management reviews evidence (9.3), for the auditors' evidence packs (registered in ``ready``)."""


def register_evidence() -> None:
    """Register reviews, their outputs and their signatures with ``qms.evidence``."""
    from qms.evidence.registry import register_record_type

    from .models import Review, ReviewOutput, ReviewSignature

    register_record_type(
        Review,
        title="Management reviews",
        description="Management reviews with the period covered, chair, status and the answers recorded.",
        clauses=("9.3", "5.1.2"),
        columns=(
            ("reference", "Reference"),
            ("review_date", "Date"),
            ("chair", "Chair"),
            ("period_start", "Period from"),
            ("period_end", "Period to"),
            ("status", "Status"),
            ("done_well", "What have we done well lately?"),
            ("to_improve", "Where do we need to improve?"),
            ("switch_risk", "What would make a customer seek a different supplier?"),
            ("approved_at", "Approved"),
        ),
        date_field="review_date",
        related=("chair",),
    )
    register_record_type(
        ReviewOutput,
        title="Management review outputs",
        description="Improvement opportunities, changes to the QMS and resource needs decided (9.3.3).",
        clauses=("9.3", "10.2"),
        columns=(
            ("review", "Review"),
            ("kind", "Kind"),
            ("description", "Found"),
            ("decision", "Decision"),
            ("action", "Action"),
            ("created_at", "Recorded"),
        ),
        date_field="created_at",
        related=("review", "action"),
    )
    register_record_type(
        ReviewSignature,
        title="Management review signatures",
        description="Electronic signatures of the chairs: meaning, time and the SHA-256 of the approved content.",
        clauses=("9.3",),
        columns=(
            ("review", "Review"),
            ("signer", "Signed by"),
            ("meaning", "Meaning"),
            ("signed_at", "Signed"),
            ("content_hash", "SHA-256 of the approved content"),
        ),
        date_field="signed_at",
        related=("review", "signer"),
    )
