from django.db import models


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class KpiSource(models.TextChoices):
    COMPUTED = "computed", "Computed from the portal's data"
    ENTERED = "entered", "Entered by its owner"


class ValueOrigin(models.TextChoices):
    COMPUTED = "computed", "Computed"
    FORM = "form", "Entered on the form"
    API = "api", "Entered through the API"
    IMPORT = "import", "Imported from a file"


class Rag(models.TextChoices):
    """Red / amber / green against the target; "none" when there is no value or no target."""

    GREEN = "green", "On target"
    AMBER = "amber", "Near target"
    RED = "red", "Off target"
    NONE = "none", "No data"


class ObjectiveStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    ACHIEVED = "achieved", "Achieved"
