"""What this app's records evidence, for the auditors' evidence packs (registered in ``ready``)."""


def register_evidence() -> None:
    """Register this app's record types with ``qms.evidence``."""
    from qms.evidence.registry import AttachmentSpec, register_record_type

    from .models import Attachment, FeedbackItem, SurveyResponse

    register_record_type(
        FeedbackItem,
        title="Complaints and feedback",
        description="Complaints, compliments and suggestions handled to closure (ISO 10002), with their files.",
        clauses=("5.1.2", "9.1.2", "10.2"),
        columns=(
            ("reference", "Reference"),
            ("kind", "Kind"),
            ("status", "Status"),
            ("channel", "Channel"),
            ("received_at", "Received"),
            ("customer", "Customer"),
            ("category", "Category"),
            ("summary", "Summary"),
            ("severity", "Severity"),
            ("root_cause_category", "Root cause category"),
            ("acknowledged_at", "Acknowledged"),
            ("resolved_at", "Resolved"),
            ("resolved_within_target", "Resolved within target"),
            ("closed_at", "Closed"),
        ),
        date_field="received_at",
        related=("customer", "category"),
        attachments=AttachmentSpec(Attachment, "item"),
    )
    register_record_type(
        SurveyResponse,
        title="Survey responses",
        description="Customers' answers to satisfaction surveys (NPS 0-10, CSAT 1-5).",
        clauses=("9.1.2",),
        columns=(
            ("campaign", "Campaign"),
            ("customer", "Customer"),
            ("segment", "Segment"),
            ("submitted_at", "Submitted"),
            ("nps_score", "NPS score"),
            ("csat_score", "CSAT score"),
        ),
        date_field="submitted_at",
        related=("campaign", "customer"),
    )
