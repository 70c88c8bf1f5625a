"""Sets the audit context for each request: source (ui, api, admin), request id and address."""

from __future__ import annotations

from .context import AuditContext, _current


def source_for_path(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "ui"


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = AuditContext(
            source=source_for_path(request.path),
            request=request,
            request_id=getattr(request, "request_id", ""),
            address=request.META.get("REMOTE_ADDR", ""),
        )
        token = _current.set(ctx)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
