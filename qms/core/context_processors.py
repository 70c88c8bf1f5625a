from django.conf import settings

from .menu import items_for


def portal(request):
    user = getattr(request, "user", None)
    return {
        "organisation_name": settings.ORGANISATION_NAME,
        "menu_items": items_for(user) if user is not None and user.is_authenticated else [],
    }
