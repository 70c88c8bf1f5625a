"""Pages of the risk and opportunity log (6.1)."""

from django.urls import path

from . import views

app_name = "risks"
urlpatterns = [
    path("", views.RiskEntryListView.as_view(), name="entry_list"),
    path("new/", views.RiskEntryCreateView.as_view(), name="entry_create"),
    path("<int:pk>/", views.RiskEntryDetailView.as_view(), name="entry_detail"),
    path("<int:pk>/edit/", views.RiskEntryUpdateView.as_view(), name="entry_update"),
    path("<int:pk>/assess/", views.RiskEntryAssessView.as_view(), name="entry_assess"),
    path("<int:pk>/step/", views.RiskEntryStepView.as_view(), name="entry_step"),
    path("<int:pk>/actions/new/", views.TreatmentActionCreateView.as_view(), name="treatment_action_create"),
    path("heat-map/", views.HeatMapView.as_view(), name="heat_map"),
    # Without a version: the active one (the same name, reversed without arguments).
    path("matrix/", views.MatrixDetailView.as_view(), name="matrix_detail"),
    path("matrix/<int:pk>/", views.MatrixDetailView.as_view(), name="matrix_detail"),
    path("matrix/edit/", views.MatrixEditView.as_view(), name="matrix_edit"),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
    path("categories/new/", views.CategoryCreateView.as_view(), name="category_create"),
    path("categories/<int:pk>/edit/", views.CategoryUpdateView.as_view(), name="category_update"),
    path("categories/<int:pk>/delete/", views.CategoryDeleteView.as_view(), name="category_delete"),
]
