"""Pages for customers without an account: submit feedback, follow a complaint's status."""

from django.urls import path

from . import public_views

app_name = "feedback_public"
urlpatterns = [
    path("", public_views.submit, name="submit"),
    path("thanks/", public_views.thanks, name="thanks"),
    path("status/", public_views.status_lookup, name="status"),
    # The link in our e-mails (emails.status_url): keep this name and its one argument.
    path("status/<str:token>/", public_views.status_by_token, name="status_token"),
]
