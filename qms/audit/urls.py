from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEntryListView.as_view(), name="entry_list"),
    path("<int:pk>/", views.AuditEntryDetailView.as_view(), name="entry_detail"),
]
