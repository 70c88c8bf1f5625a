"""evidence pages."""

from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("", views.ExportListView.as_view(), name="export_list"),
    path("<int:pk>/", views.ExportDetailView.as_view(), name="export_detail"),
    path("<int:pk>/progress/", views.ExportProgressView.as_view(), name="export_progress"),
    path("<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
]
