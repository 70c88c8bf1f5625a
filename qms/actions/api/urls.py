from rest_framework.routers import SimpleRouter

from .views import ActionViewSet

router = SimpleRouter()
router.register("actions", ActionViewSet, basename="action")
urlpatterns = router.urls
