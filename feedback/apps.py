from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Feedback, complaints (ISO 10002) and surveys (9.1.2)."""

    name = "feedback"
    verbose_name = "Feedback and complaints"

    def ready(self) -> None:
        from qms.core import menu, outbox
        from qms.core.demo import register_seeder
        from qms.core.homepage import register_contributor

        from . import rollups  # noqa: F401  (registers the register's roll-ups)
        from .demo import seed_feedback, seed_surveys
        from .evidence import register_evidence
        from .home import feedback_home
        from .kpi_figures import register_figures
        from .kpi_queues import register_queues
        from .review_inputs import register_review_inputs
        from .services.survey_delivery import INVITATION_KEY, invitation_undeliverable

        register_seeder(40, "feedback", seed_feedback)
        register_figures()
        outbox.on_undeliverable(INVITATION_KEY, invitation_undeliverable)
        register_queues()
        register_seeder(45, "surveys", seed_surveys)
        register_contributor(30, feedback_home)
        menu.register(menu.MenuItem("Feedback", "feedback:item_list", "feedback.feedbackitem", order=30))
        menu.register(menu.MenuItem("Surveys", "feedback:campaign_list", "feedback.campaign", order=35))
        register_evidence()
        register_review_inputs()
