"""The respondent's pages: no account, the invitation's token is the key (built in this change)."""

app_name = "survey_public"
urlpatterns: list = []
