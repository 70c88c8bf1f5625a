"""URL namespace reserved for the risks register, which its own issue builds."""

app_name = "risks"
urlpatterns: list = []
