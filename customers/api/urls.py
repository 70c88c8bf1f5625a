from rest_framework.routers import SimpleRouter

from .views import ContactViewSet, CustomerViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
urlpatterns = router.urls
