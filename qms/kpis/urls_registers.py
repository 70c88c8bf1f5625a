"""KPI, value, order-volume and objective pages."""

from django.urls import path

from .imports import ValueImportView
from .views import kpis, objectives

urlpatterns = [
    path("", kpis.KpiListView.as_view(), name="kpi_list"),
    path("new/", kpis.KpiCreateView.as_view(), name="kpi_create"),
    path("<int:pk>/", kpis.KpiDetailView.as_view(), name="kpi_detail"),
    path("<int:pk>/edit/", kpis.KpiUpdateView.as_view(), name="kpi_update"),
    path("<int:pk>/delete/", kpis.KpiDeleteView.as_view(), name="kpi_delete"),
    path("<int:pk>/values/new/", kpis.ValueEnterView.as_view(), name="value_enter"),
    path("values/<int:pk>/delete/", kpis.ValueDeleteView.as_view(), name="value_delete"),
    path("values/import/", ValueImportView.as_view(), name="value_import"),
    path("orders/", kpis.OrderVolumeListView.as_view(), name="order_list"),
    path("objectives/", objectives.ObjectiveListView.as_view(), name="objective_list"),
    path("objectives/new/", objectives.ObjectiveCreateView.as_view(), name="objective_create"),
    path("objectives/<int:pk>/", objectives.ObjectiveDetailView.as_view(), name="objective_detail"),
    path("objectives/<int:pk>/edit/", objectives.ObjectiveUpdateView.as_view(), name="objective_update"),
    path("objectives/<int:pk>/delete/", objectives.ObjectiveDeleteView.as_view(), name="objective_delete"),
]
