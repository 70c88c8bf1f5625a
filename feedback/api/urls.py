"""API routes of the feedback register."""

from rest_framework.routers import SimpleRouter

from .views import FeedbackCategoryViewSet, FeedbackItemViewSet

router = SimpleRouter()
router.register("feedback", FeedbackItemViewSet, basename="feedbackitem")
router.register("feedback-categories", FeedbackCategoryViewSet, basename="feedbackcategory")
urlpatterns = router.urls
