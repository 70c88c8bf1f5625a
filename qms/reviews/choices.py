from django.db import models


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    INPUTS_READY = "inputs_ready", "Inputs ready"
    HELD = "held", "Held"
    APPROVED = "approved", "Approved"


class OutputKind(models.TextChoices):
    IMPROVEMENT = "improvement", "Improvement opportunity"
    QMS_CHANGE = "qms_change", "Change needed to the QMS"
    RESOURCE = "resource", "Resource need"


# The three questions the review always asks (from the portal's brief), keyed by the answer's field.
QUESTIONS = {
    "done_well": "What have we done well lately?",
    "to_improve": "Where do we need to improve?",
    "switch_risk": "What would make a customer seek a different supplier?",
}

SIGNATURE_MEANING = "approved as a true record"


class SummaryKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly management summary"
    WEEKLY = "weekly", "Weekly top-management digest"
