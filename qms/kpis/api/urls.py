"""KPI, value, objective and dashboard API."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import DashboardView, KpiViewSet, ObjectiveViewSet

router = SimpleRouter()
router.register("kpis", KpiViewSet, basename="kpi")
router.register("objectives", ObjectiveViewSet, basename="objective")
urlpatterns = [*router.urls, path("dashboard/", DashboardView.as_view(), name="dashboard")]
