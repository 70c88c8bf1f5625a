"""evidence API."""

from rest_framework.routers import SimpleRouter

from .views import EvidenceExportViewSet

router = SimpleRouter()
router.register("evidence-exports", EvidenceExportViewSet, basename="evidenceexport")
urlpatterns = router.urls
