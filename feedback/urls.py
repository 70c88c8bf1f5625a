"""Pages of the feedback register (the public pages live in ``public_urls``)."""

from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.FeedbackItemListView.as_view(), name="item_list"),
    path("new/", views.FeedbackItemCreateView.as_view(), name="item_create"),
    path("<int:pk>/", views.FeedbackItemDetailView.as_view(), name="item_detail"),
    path("<int:pk>/edit/", views.FeedbackItemUpdateView.as_view(), name="item_update"),
    path("<int:pk>/transition/", views.FeedbackItemTransitionView.as_view(), name="item_transition"),
    path("<int:pk>/attachments/new/", views.AttachmentCreateView.as_view(), name="attachment_create"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
    path("categories/new/", views.CategoryCreateView.as_view(), name="category_create"),
    path("categories/<int:pk>/edit/", views.CategoryUpdateView.as_view(), name="category_update"),
    path("categories/<int:pk>/delete/", views.CategoryDeleteView.as_view(), name="category_delete"),
    path("time-targets/", views.SlaSettingsView.as_view(), name="sla_settings"),
    path("time-targets/holidays/<int:pk>/delete/", views.HolidayDeleteView.as_view(), name="holiday_delete"),
]
