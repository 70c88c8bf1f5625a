"""URL namespace reserved for the requirements register, which its own issue builds."""

app_name = "requirements"
urlpatterns: list = []
