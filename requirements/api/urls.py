from rest_framework.routers import SimpleRouter

from .views import AcknowledgementViewSet, EvaluationViewSet, InterestedPartyViewSet, RequirementViewSet

router = SimpleRouter()
router.register("interested-parties", InterestedPartyViewSet, basename="interestedparty")
router.register("requirements", RequirementViewSet, basename="requirement")
router.register("acknowledgements", AcknowledgementViewSet, basename="acknowledgement")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
urlpatterns = router.urls
