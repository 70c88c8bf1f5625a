from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEntryListView.as_view(), name="entry_list"),
    path("<int:pk>/", views.AuditEntryDetailView.as_view(), name="entry_detail"),
    path("history/<str:model_label>/<str:object_id>/", views.RecordHistoryView.as_view(), name="record_history"),
]
