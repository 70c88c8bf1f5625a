"""API routes of the management reviews."""

from rest_framework.routers import SimpleRouter

from .views import ReviewViewSet, SummaryViewSet

router = SimpleRouter()
router.register("reviews", ReviewViewSet, basename="review")
router.register("summaries", SummaryViewSet, basename="summary")
urlpatterns = router.urls
