"""API routes of the risk and opportunity log."""

from rest_framework.routers import SimpleRouter

from .views import RiskEntryViewSet, RiskMatrixViewSet

router = SimpleRouter()
router.register("risks", RiskEntryViewSet, basename="riskentry")
router.register("risk-matrix", RiskMatrixViewSet, basename="riskmatrix")
urlpatterns = router.urls
