"""The fixed vocabularies of the risk and opportunity log (6.1)."""

from django.db import models


class EntryKind(models.TextChoices):
    RISK = "risk", "Risk"
    OPPORTUNITY = "opportunity", "Opportunity"


REFERENCE_PREFIXES = {EntryKind.RISK: "RSK", EntryKind.OPPORTUNITY: "OPP"}


class EntryStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    ASSESSED = "assessed", "Assessed"
    TREATING = "treating", "Treating"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = frozenset({EntryStatus.IDENTIFIED, EntryStatus.ASSESSED, EntryStatus.TREATING, EntryStatus.MONITORING})


class Source(models.TextChoices):
    CONTEXT_ISSUE = "context_issue", "Context issue"
    INTERESTED_PARTY = "interested_party", "Interested party"
    REQUIREMENT = "requirement", "Requirement"
    COMPLAINT_TREND = "complaint_trend", "Complaint trend"
    PROCESS = "process", "Process"
    OTHER = "other", "Other"


class AssessmentKind(models.TextChoices):
    INHERENT = "inherent", "Inherent (before treatment)"
    TARGET = "target", "Target"
    RESIDUAL = "residual", "Residual (after treatment)"


class TreatmentOption(models.TextChoices):
    # Risks
    AVOID = "avoid", "Avoid"
    REDUCE = "reduce", "Reduce"
    TRANSFER = "transfer", "Transfer"
    ACCEPT = "accept", "Accept"
    # Opportunities
    PURSUE = "pursue", "Pursue"
    ENHANCE = "enhance", "Enhance"
    SHARE = "share", "Share"
    DECLINE = "decline", "Decline"


RISK_OPTIONS = (TreatmentOption.AVOID, TreatmentOption.REDUCE, TreatmentOption.TRANSFER, TreatmentOption.ACCEPT)
OPPORTUNITY_OPTIONS = (
    TreatmentOption.PURSUE,
    TreatmentOption.ENHANCE,
    TreatmentOption.SHARE,
    TreatmentOption.DECLINE,
)


class BandName(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"
