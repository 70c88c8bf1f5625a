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
    # Surveys (9.1.2)
    path("surveys/", views.CampaignListView.as_view(), name="campaign_list"),
    path("surveys/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("surveys/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("surveys/<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_update"),
    path("surveys/<int:pk>/send/", views.CampaignSendView.as_view(), name="campaign_send"),
    path("surveys/<int:pk>/close/", views.CampaignCloseView.as_view(), name="campaign_close"),
    path("surveys/<int:pk>/progress/", views.CampaignProgressView.as_view(), name="campaign_progress"),
    path("surveys/<int:pk>/responses/", views.CampaignResponsesExportView.as_view(), name="campaign_responses_export"),
    path("surveys/results/", views.SurveyResultsView.as_view(), name="survey_results"),
    path("surveys/settings/", views.SurveySettingsView.as_view(), name="survey_settings"),
    path("surveys/templates/", views.SurveyTemplateListView.as_view(), name="template_list"),
    path("surveys/templates/new/", views.SurveyTemplateCreateView.as_view(), name="template_create"),
    path("surveys/templates/<int:pk>/", views.SurveyTemplateDetailView.as_view(), name="template_detail"),
    path("surveys/templates/<int:pk>/edit/", views.SurveyTemplateUpdateView.as_view(), name="template_update"),
    path(
        "surveys/templates/<int:pk>/new-version/",
        views.SurveyTemplateNewVersionView.as_view(),
        name="template_new_version",
    ),
    path("surveys/templates/<int:pk>/questions/new/", views.QuestionCreateView.as_view(), name="question_create"),
    path("surveys/questions/<int:pk>/edit/", views.QuestionUpdateView.as_view(), name="question_update"),
    path("surveys/questions/<int:pk>/delete/", views.QuestionDeleteView.as_view(), name="question_delete"),
    path("surveys/questions/<int:pk>/move/", views.QuestionMoveView.as_view(), name="question_move"),
]
