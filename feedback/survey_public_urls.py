"""The respondent's pages: no account, the invitation's token is the key."""

from django.urls import path

from . import survey_public_views

app_name = "survey_public"
urlpatterns = [
    # The links in our survey e-mails (survey_delivery.respond_url / opt_out_url): keep names and argument.
    path("<str:token>/", survey_public_views.respond, name="respond"),
    path("<str:token>/thanks/", survey_public_views.thanks, name="thanks"),
    path("<str:token>/opt-out/", survey_public_views.opt_out, name="opt_out"),
]
