from django.db import models


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    SME = "sme", "Small and medium business"
    PUBLIC = "public", "Public sector"
    DISTRIBUTOR = "distributor", "Distributor"
    CONSUMER = "consumer", "Consumer"


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
