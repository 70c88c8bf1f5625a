"""URL namespace reserved for the feedback register, which its own issue builds."""

app_name = "feedback"
urlpatterns: list = []
