from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Management reviews (9.3) and the scheduled management summaries."""

    name = "qms.reviews"
    label = "reviews"
    verbose_name = "Management reviews"

    def ready(self) -> None:
        from qms.core import menu
        from qms.core.demo import register_seeder
        from qms.core.outbox import attach_from

        from .demo import seed_summaries
        from .evidence import register_evidence
        from .summaries import OUTBOX_PREFIX, attachments_for

        menu.register(menu.MenuItem("Reviews", "reviews:review_list", "reviews.review", order=70))
        register_evidence()
        attach_from(OUTBOX_PREFIX, attachments_for)
        # After the KPIs (order 90): the summaries show what every register's demo data adds up to.
        register_seeder(95, "summaries", seed_summaries)
