from django.apps import AppConfig


class RequirementsConfig(AppConfig):
    """Customer and statutory/regulatory requirements (5.1.2 a); built by its own issue."""

    name = "requirements"
    verbose_name = "Requirements"
