from django.db import models


class PartyKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    REGULATOR = "regulator", "Regulator"
    SUPPLIER = "supplier", "Supplier"
    EMPLOYEE = "employee", "Employee"
    OWNER = "owner", "Owner or shareholder"
    COMMUNITY = "community", "Community"
    OTHER = "other", "Other"


class Relevance(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class IssueScope(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class RequirementKind(models.TextChoices):
    CONTRACTUAL = "contractual", "Customer: contractual"
    SPECIFIED = "specified", "Customer: specified"
    IMPLIED = "implied", "Customer: implied"
    SPECIFICATION = "specification", "Product or service specification"
    STATUTORY = "statutory", "Statutory"
    REGULATORY = "regulatory", "Regulatory"
    INTERNAL = "internal", "Internal"
    PARTY = "party", "Other interested party"


LEGAL_KINDS = (RequirementKind.STATUTORY, RequirementKind.REGULATORY)
CUSTOMER_KINDS = (RequirementKind.CONTRACTUAL, RequirementKind.SPECIFIED, RequirementKind.IMPLIED)


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class RequirementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    UNDER_REVIEW = "under_review", "Under review"
    SUPERSEDED = "superseded", "Superseded"
    RETIRED = "retired", "Retired"


class EvaluationResult(models.TextChoices):
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
