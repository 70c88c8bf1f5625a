"""The feedback register's pages."""

from .complaints import (
    AttachmentCreateView,
    AttachmentDeleteView,
    AttachmentDownloadView,
    FeedbackItemCreateView,
    FeedbackItemDetailView,
    FeedbackItemListView,
    FeedbackItemTransitionView,
    FeedbackItemUpdateView,
)
from .configuration import (
    CategoryCreateView,
    CategoryDeleteView,
    CategoryListView,
    CategoryUpdateView,
    HolidayDeleteView,
    SlaSettingsView,
)

__all__ = [
    "AttachmentCreateView",
    "AttachmentDeleteView",
    "AttachmentDownloadView",
    "CategoryCreateView",
    "CategoryDeleteView",
    "CategoryListView",
    "CategoryUpdateView",
    "FeedbackItemCreateView",
    "FeedbackItemDetailView",
    "FeedbackItemListView",
    "FeedbackItemTransitionView",
    "FeedbackItemUpdateView",
    "HolidayDeleteView",
    "SlaSettingsView",
]
