from django.apps import AppConfig


class RequirementsConfig(AppConfig):
    """Customer and statutory/regulatory requirements (5.1.2 a): determined, understood, consistently met."""

    name = "requirements"
    verbose_name = "Requirements"

    def ready(self) -> None:
        from qms.core import menu
        from qms.core.demo import register_seeder

        from .demo import seed_requirements
        from .evidence import register_evidence
        from .kpi_figures import register_figures
        from .kpi_queues import register_queues
        from .review_inputs import register_review_inputs

        register_seeder(30, "requirements", seed_requirements)
        register_figures()
        register_queues()
        menu.register(
            menu.MenuItem("Requirements", "requirements:requirement_list", "requirements.requirement", order=20)
        )
        register_evidence()
        register_review_inputs()
