"""Error pages: a sentence a person can act on, JSON under /api/, never a stack trace."""

from django.http import JsonResponse
from django.shortcuts import render

_MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your role does not allow this. Ask a quality manager if you need access."),
    404: ("Not found", "There is no such page or record, or your role may not see it."),
    500: ("Something went wrong", "Something went wrong on our side and nothing was changed."),
}


def _respond(request, status):
    title, message = _MESSAGES[status]
    request_id = getattr(request, "request_id", "")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "request_id": request_id}, status=status)
    return render(
        request,
        "error.html",
        {"title": title, "message": message, "request_id": request_id, "status": status},
        status=status,
    )


def bad_request(request, exception=None):
    return _respond(request, 400)


def permission_denied(request, exception=None):
    return _respond(request, 403)


def page_not_found(request, exception=None):
    return _respond(request, 404)


def server_error(request):
    return _respond(request, 500)
