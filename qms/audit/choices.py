from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    ROLES = "roles", "Roles or permissions changed"


class AuditSource(models.TextChoices):
    UI = "ui", "Web page"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    JOB = "job", "Scheduled job"
    CLI = "cli", "Command line"
