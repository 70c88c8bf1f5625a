from django.apps import AppConfig


class RisksConfig(AppConfig):
    """Risks and opportunities (6.1, 5.1.2 b); built by its own issue."""

    name = "risks"
    verbose_name = "Risks and opportunities"
