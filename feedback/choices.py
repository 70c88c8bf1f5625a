"""The fixed vocabularies of the feedback register (ISO 10002)."""

from django.db import models


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    COMPLIMENT = "compliment", "Compliment"
    SUGGESTION = "suggestion", "Suggestion"
    ENQUIRY = "enquiry", "Enquiry"


# The reference prefix per kind: CMP-2026-00017.
REFERENCE_PREFIXES = {
    FeedbackKind.COMPLAINT: "CMP",
    FeedbackKind.COMPLIMENT: "CPL",
    FeedbackKind.SUGGESTION: "SUG",
    FeedbackKind.ENQUIRY: "ENQ",
}


class Channel(models.TextChoices):
    WEB_FORM = "web_form", "Web form"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    VISIT = "visit", "Visit"
    SURVEY = "survey", "Survey"
    SOCIAL_MEDIA = "social_media", "Social media"
    OTHER = "other", "Other"


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    RESPONSE_PROPOSED = "response_proposed", "Response proposed"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REJECTED = "rejected", "Rejected"


FINAL_STATUSES = frozenset({FeedbackStatus.CLOSED, FeedbackStatus.WITHDRAWN, FeedbackStatus.REJECTED})
# Still being worked: the resolution clock runs (unless paused) and the item shows in work queues.
OPEN_STATUSES = frozenset(
    {
        FeedbackStatus.RECEIVED,
        FeedbackStatus.ACKNOWLEDGED,
        FeedbackStatus.INVESTIGATING,
        FeedbackStatus.RESPONSE_PROPOSED,
    }
)


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class RootCauseCategory(models.TextChoices):
    PEOPLE = "people", "People (skills, training, workload)"
    PROCESS = "process", "Process or method"
    MATERIAL = "material", "Material or supplier"
    EQUIPMENT = "equipment", "Equipment or software"
    ENVIRONMENT = "environment", "Environment"
    MEASUREMENT = "measurement", "Measurement or inspection"
    COMMUNICATION = "communication", "Communication"
    DESIGN = "design", "Design or specification"
    OTHER = "other", "Other"


class Acceptance(models.TextChoices):
    ACCEPTED = "accepted", "Accepted the outcome"
    REFUSED = "refused", "Did not accept the outcome"
    NO_ANSWER = "no_answer", "Did not answer"


class SlaTargetKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Acknowledgement"
    RESOLVE = "resolve", "Resolution"


class EscalationLevel(models.TextChoices):
    WARNING = "warning", "Target approaching (assignee told)"
    BREACH = "breach", "Target missed (quality manager told)"


# Surveys (9.1.2) -------------------------------------------------------------------------------------


class QuestionType(models.TextChoices):
    NPS = "nps", "Likelihood to recommend (NPS, 0–10)"
    CSAT = "csat", "Satisfaction (CSAT, 1–5)"
    RATING = "rating", "Rating (1–N)"
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    TEXT = "text", "Free text"


class TemplatePurpose(models.TextChoices):
    RELATIONSHIP = "relationship", "Relationship survey"
    POST_COMPLAINT = "post_complaint", "After a complaint"
    OTHER = "other", "Other"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENDING = "sending", "Sending"
    OPEN = "open", "Open for answers"
    CLOSED = "closed", "Closed"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Not sent yet"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    RESPONDED = "responded", "Answered"
    OPTED_OUT = "opted_out", "Opted out"
    EXPIRED = "expired", "Expired"
