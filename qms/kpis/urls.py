"""KPIs, objectives and dashboards. The register pages and the dashboards keep their own URL lists."""

from .urls_dashboards import urlpatterns as dashboard_urls
from .urls_registers import urlpatterns as register_urls

app_name = "kpis"
urlpatterns = [*dashboard_urls, *register_urls]
