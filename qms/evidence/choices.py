from django.db import models


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Standard(models.TextChoices):
    """Other Annex SL standards a record can also evidence in an integrated management system."""

    ISO_14001 = "ISO 14001", "ISO 14001 (environment)"
    ISO_45001 = "ISO 45001", "ISO 45001 (occupational health and safety)"
    ISO_27001 = "ISO 27001", "ISO 27001 (information security)"
