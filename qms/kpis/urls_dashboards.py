"""The dashboards: top management, quality manager, PDF export."""

from django.urls import path

from .views import dashboards

urlpatterns = [
    path("dashboard/", dashboards.DashboardView.as_view(), name="dashboard"),
    path("dashboard/quality/", dashboards.QualityDashboardView.as_view(), name="quality_dashboard"),
    path("dashboard/refresh/", dashboards.DashboardRefreshView.as_view(), name="dashboard_refresh"),
    path("dashboard/pdf/", dashboards.DashboardPdfView.as_view(), name="dashboard_pdf"),
]
