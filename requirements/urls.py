"""Pages of the requirements register."""

from django.urls import path

from . import views
from .imports import RequirementImportView

app_name = "requirements"
urlpatterns = [
    path("", views.RequirementListView.as_view(), name="requirement_list"),
    path("new/", views.RequirementCreateView.as_view(), name="requirement_create"),
    path("import/", RequirementImportView.as_view(), name="requirement_import"),
    path("acknowledgements/", views.AcknowledgementOverviewView.as_view(), name="acknowledgement_overview"),
    path("<int:pk>/", views.RequirementDetailView.as_view(), name="requirement_detail"),
    path("<int:pk>/edit/", views.RequirementUpdateView.as_view(), name="requirement_update"),
    path("<int:pk>/delete/", views.RequirementDeleteView.as_view(), name="requirement_delete"),
    path("<int:pk>/acknowledge/", views.RequirementAcknowledgeView.as_view(), name="requirement_acknowledge"),
    path("<int:pk>/assignments/new/", views.AssignmentCreateView.as_view(), name="assignment_create"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/delete/",
        views.AssignmentDeleteView.as_view(),
        name="assignment_delete",
    ),
    path("<int:pk>/evaluations/new/", views.EvaluationCreateView.as_view(), name="evaluation_create"),
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
    path("parties/", views.InterestedPartyListView.as_view(), name="party_list"),
    path("parties/new/", views.InterestedPartyCreateView.as_view(), name="party_create"),
    path("parties/<int:pk>/", views.InterestedPartyDetailView.as_view(), name="party_detail"),
    path("parties/<int:pk>/edit/", views.InterestedPartyUpdateView.as_view(), name="party_update"),
    path("parties/<int:pk>/delete/", views.InterestedPartyDeleteView.as_view(), name="party_delete"),
    path("issues/", views.ContextIssueListView.as_view(), name="issue_list"),
    path("issues/new/", views.ContextIssueCreateView.as_view(), name="issue_create"),
    path("issues/<int:pk>/", views.ContextIssueDetailView.as_view(), name="issue_detail"),
    path("issues/<int:pk>/edit/", views.ContextIssueUpdateView.as_view(), name="issue_update"),
    path("issues/<int:pk>/delete/", views.ContextIssueDeleteView.as_view(), name="issue_delete"),
]
