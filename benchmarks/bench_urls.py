"""The portal's URLs plus ``/bench/trivial/``: the cheapest response Django can give through the same
middleware, measured in the same run as every page (the ceiling). Used only by the benchmark."""

from django.http import HttpResponse
from django.urls import path

from qms.urls import handler400, handler403, handler404, handler500  # noqa: F401
from qms.urls import urlpatterns as portal_urlpatterns


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench_trivial"), *portal_urlpatterns]
