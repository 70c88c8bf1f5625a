"""The scorecard as a PDF (WeasyPrint), rendered without any network access.

Only our own static files are served to WeasyPrint, read from disk by the staticfiles finders; every
other URL (remote hosts, ``file:`` paths, data the page did not come with) is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}


class StaticFilesFetcher(URLFetcher):
    """Serves ``<base_url>/static/…`` from the static files on disk; refuses everything else."""

    def __init__(self, base_url: str):
        super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
        base = urlsplit(base_url)
        self.netloc = base.netloc
        self.prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or parts.netloc != self.netloc
            or not parts.path.startswith(self.prefix)
        ):
            raise ValueError(f"Refused to fetch {url!r} while rendering a PDF: only our static files are served.")
        relative = parts.path[len(self.prefix) :]
        found = finders.find(relative) if ".." not in relative.split("/") else None
        if not found:
            raise ValueError(f"No static file {relative!r}.")
        with open(found, "rb") as handle:
            body = handle.read()
        suffix = "." + relative.rsplit(".", 1)[-1] if "." in relative else ""
        return URLFetcherResponse(url, body, {"Content-Type": TYPES.get(suffix, "application/octet-stream")})


def render_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of ``html`` (A4 is set by its own stylesheet); relative URLs resolve against ``base_url``."""
    return HTML(string=html, base_url=base_url, url_fetcher=StaticFilesFetcher(base_url)).write_pdf()
