from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Management reviews (9.3) and the scheduled management summaries."""

    name = "qms.reviews"
    label = "reviews"
    verbose_name = "Management reviews"

    def ready(self) -> None:
        from qms.core import menu

        from .evidence import register_evidence

        menu.register(menu.MenuItem("Reviews", "reviews:review_list", "reviews.review", order=70))
        register_evidence()
