"""API routes of the feedback register and the satisfaction surveys."""

from rest_framework.routers import SimpleRouter

from .views import (
    CampaignViewSet,
    FeedbackCategoryViewSet,
    FeedbackItemViewSet,
    InvitationViewSet,
    SurveyResponseViewSet,
    SurveyTemplateViewSet,
)

router = SimpleRouter()
router.register("feedback", FeedbackItemViewSet, basename="feedbackitem")
router.register("feedback-categories", FeedbackCategoryViewSet, basename="feedbackcategory")
router.register("survey-templates", SurveyTemplateViewSet, basename="surveytemplate")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("responses", SurveyResponseViewSet, basename="surveyresponse")
urlpatterns = router.urls
