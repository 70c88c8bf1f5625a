"""What this app's records evidence, for the auditors' evidence packs (registered in ``ready``)."""


def register_evidence() -> None:
    """Register this app's record types with ``qms.evidence``."""
    from qms.evidence.registry import AttachmentSpec, register_record_type

    from .models import Attachment, Evaluation, InterestedParty, Requirement

    register_record_type(
        Requirement,
        title="Requirements",
        description="Customer and statutory/regulatory requirements, each with owner, applicability and review date.",
        clauses=("5.1.2", "8.2"),
        columns=(
            ("reference", "Reference"),
            ("title", "Title"),
            ("kind", "Kind"),
            ("customer", "Customer"),
            ("party", "Interested party"),
            ("legal_reference", "Legal reference"),
            ("jurisdiction", "Jurisdiction"),
            ("applicability", "Applicability"),
            ("owner", "Owner"),
            ("criticality", "Criticality"),
            ("status", "Status"),
            ("version", "Version"),
            ("next_review_date", "Next review"),
            ("created_at", "Created"),
        ),
        date_field="created_at",
        related=("customer", "party", "owner"),
        attachments=AttachmentSpec(Attachment, "requirement"),
    )
    register_record_type(
        Evaluation,
        title="Compliance evaluations",
        description="Periodic evaluations of whether each requirement is met, with results and evidence.",
        clauses=("5.1.2", "8.2"),
        columns=(
            ("requirement", "Requirement"),
            ("evaluated_on", "Evaluated on"),
            ("evaluator", "Evaluator"),
            ("result", "Result"),
            ("findings", "Findings"),
            ("evidence_link", "Evidence link"),
            ("next_due_date", "Next due"),
        ),
        date_field="evaluated_on",
        related=("requirement", "evaluator"),
    )
    register_record_type(
        InterestedParty,
        title="Interested parties",
        description="Interested parties and their relevant needs and expectations.",
        clauses=("4.2",),
        columns=(
            ("name", "Name"),
            ("kind", "Kind"),
            ("customer", "Customer"),
            ("relevance", "Relevance"),
            ("needs", "Needs and expectations"),
            ("review_date", "Review date"),
            ("created_at", "Created"),
        ),
        date_field="created_at",
        related=("customer",),
    )
