from django.apps import AppConfig


class KpisConfig(AppConfig):
    """KPIs, quality objectives and the customer-focus scorecard (6.2, 9.1, 5.1.2)."""

    name = "qms.kpis"
    label = "kpis"
    verbose_name = "KPIs and objectives"

    def ready(self) -> None:
        from qms.core import menu
        from qms.core.demo import register_seeder
        from qms.core.homepage import register_contributor

        from . import queues  # noqa: F401  (registers the work queues' roll-up)
        from .demo import seed_kpis
        from .evidence import register_evidence
        from .home import kpis_home
        from .review_inputs import register_review_inputs

        # After every register's demo data, so the computed KPIs have something to count.
        register_seeder(90, "kpis", seed_kpis)
        register_contributor(45, kpis_home)
        # The dashboard first: it is what top management opens the portal for.
        menu.register(menu.MenuItem("Dashboard", "kpis:dashboard", "kpis.dashboardsnapshot", order=5))
        menu.register(menu.MenuItem("KPIs", "kpis:kpi_list", "kpis.kpi", order=55))
        register_evidence()
        register_review_inputs()
