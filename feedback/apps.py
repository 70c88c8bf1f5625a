from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Feedback, complaints (ISO 10002) and surveys (9.1.2); built by its own issue."""

    name = "feedback"
    verbose_name = "Feedback and complaints"
