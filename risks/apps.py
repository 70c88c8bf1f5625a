from django.apps import AppConfig


class RisksConfig(AppConfig):
    """Risks and opportunities (6.1, 5.1.2 b)."""

    name = "risks"
    verbose_name = "Risks and opportunities"

    def ready(self) -> None:
        from qms.core import menu
        from qms.core.demo import register_seeder
        from qms.core.homepage import register_contributor

        from . import rollups  # noqa: F401  (registers the log's roll-ups)
        from .demo import seed_risks
        from .evidence import register_evidence
        from .home import risks_home
        from .kpi_figures import register_figures
        from .kpi_queues import register_queues
        from .review_inputs import register_review_inputs

        register_seeder(50, "risks", seed_risks)
        register_figures()
        register_queues()
        register_contributor(40, risks_home)
        menu.register(menu.MenuItem("Risks", "risks:entry_list", "risks.riskentry", order=40))
        register_evidence()
        register_review_inputs()
