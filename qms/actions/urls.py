"""Pages of actions."""

from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("", views.ActionListView.as_view(), name="action_list"),
    path("mine/", views.MyActionsView.as_view(), name="my_actions"),
    path("new/", views.ActionCreateView.as_view(), name="action_create"),
    path("<int:pk>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("<int:pk>/edit/", views.ActionUpdateView.as_view(), name="action_update"),
    path("<int:pk>/transition/", views.ActionTransitionView.as_view(), name="action_transition"),
]
