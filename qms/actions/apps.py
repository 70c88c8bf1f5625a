from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """Actions raised from any register (6.1, 10.2, 10.3), worked by their owners, checked for effect."""

    name = "qms.actions"
    label = "actions"
    verbose_name = "Actions"

    def ready(self) -> None:
        from qms.core import menu
        from qms.core.demo import register_seeder
        from qms.core.homepage import register_contributor

        from .demo import seed_actions
        from .evidence import register_evidence
        from .home import action_home
        from .kpi_figures import register_figures
        from .kpi_queues import register_queues
        from .review_inputs import register_review_inputs

        register_contributor(40, action_home)
        register_figures()
        register_queues()
        register_seeder(60, "actions", seed_actions)
        menu.register(menu.MenuItem("Actions", "actions:action_list", "actions.action", order=60))
        register_evidence()
        register_review_inputs()
