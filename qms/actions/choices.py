from django.db import models


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", "Corrective"
    PREVENTIVE = "preventive", "Preventive"
    IMPROVEMENT = "improvement", "Improvement"
    CONTAINMENT = "containment", "Containment"
    TREATMENT = "treatment", "Risk treatment"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    VERIFIED_EFFECTIVE = "verified_effective", "Verified effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"
    CANCELLED = "cancelled", "Cancelled"


# Still to be done: a complaint cannot close while one of its corrective actions is in these.
OPEN_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})
# Done by the owner, waiting for the quality manager's effectiveness check (10.2.1 e).
AWAITING_CHECK_STATUSES = frozenset({ActionStatus.DONE})
# Nothing more will happen unless someone reopens it.
CLOSED_STATUSES = frozenset({ActionStatus.VERIFIED_EFFECTIVE, ActionStatus.CANCELLED})
