"""Pages of the management reviews (9.3) and the scheduled summaries."""

from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.ReviewListView.as_view(), name="review_list"),
    path("new/", views.ReviewCreateView.as_view(), name="review_create"),
    path("<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("<int:pk>/edit/", views.ReviewUpdateView.as_view(), name="review_update"),
    path("<int:pk>/prepare/", views.ReviewPrepareView.as_view(), name="review_prepare"),
    path("<int:pk>/hold/", views.ReviewHoldView.as_view(), name="review_hold"),
    path("<int:pk>/outputs/new/", views.OutputCreateView.as_view(), name="output_create"),
    path("<int:pk>/approve/", views.ReviewApproveView.as_view(), name="review_approve"),
    path("summaries/", views.SummaryListView.as_view(), name="summary_list"),
    path("summaries/schedule/", views.SummaryScheduleView.as_view(), name="summary_schedule"),
    path("summaries/<int:pk>/", views.SummaryDetailView.as_view(), name="summary_detail"),
    path("summaries/<int:pk>/pdf/", views.SummaryPdfView.as_view(), name="summary_pdf"),
]
