"""Pages of the risk and opportunity log."""

from .categories import CategoryCreateView, CategoryDeleteView, CategoryListView, CategoryUpdateView
from .entries import (
    RiskEntryAssessView,
    RiskEntryCreateView,
    RiskEntryDetailView,
    RiskEntryListView,
    RiskEntryStepView,
    RiskEntryUpdateView,
    TreatmentActionCreateView,
)
from .heat_map import HeatMapView
from .matrix import MatrixDetailView, MatrixEditView

__all__ = [
    "CategoryCreateView",
    "CategoryDeleteView",
    "CategoryListView",
    "CategoryUpdateView",
    "HeatMapView",
    "MatrixDetailView",
    "MatrixEditView",
    "RiskEntryAssessView",
    "RiskEntryCreateView",
    "RiskEntryDetailView",
    "RiskEntryListView",
    "RiskEntryStepView",
    "RiskEntryUpdateView",
    "TreatmentActionCreateView",
]
