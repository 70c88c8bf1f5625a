"""The portal's URL map. Every register keeps its namespace here, built or not."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from qms.accounts.views import TokenView
from qms.core import views as core_views
from qms.core.lookups import LookupView

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="auth_token"),
    path("", include("customers.api.urls")),
    path("", include("requirements.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("risks.api.urls")),
    path("", include("qms.actions.api.urls")),
    path("", include("qms.kpis.api.urls")),
    path("", include("qms.reviews.api.urls")),
    path("", include("qms.evidence.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("lookup/<slug:source>/", LookupView.as_view(), name="lookup"),
    path("accounts/", include("qms.accounts.urls")),
    path("customers/", include("customers.urls")),
    path("requirements/", include("requirements.urls")),
    path("feedback/", include("feedback.urls")),
    path("public/feedback/", include("feedback.public_urls")),
    path("s/", include("feedback.survey_public_urls")),
    path("risks/", include("risks.urls")),
    path("audit/", include("qms.audit.urls")),
    path("actions/", include("qms.actions.urls")),
    path("kpis/", include("qms.kpis.urls")),
    path("reviews/", include("qms.reviews.urls")),
    path("evidence/", include("qms.evidence.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

handler400 = "qms.core.errors.bad_request"
handler403 = "qms.core.errors.permission_denied"
handler404 = "qms.core.errors.page_not_found"
handler500 = "qms.core.errors.server_error"
