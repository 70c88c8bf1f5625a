"""API plumbing shared by every register: pagination, error format, the base viewset."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            inner = _first_message(value)
            if field in ("non_field_errors", "__all__", "detail"):
                return inner
            return f"{field}: {inner}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "This record is in use and cannot be changed this way."
    default_code = "conflict"


def _in_use(exc: ProtectedError | RestrictedError) -> Conflict:
    """409 naming the kinds of record that still refer to the one being deleted."""
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in objects})
    return Conflict(f"This record cannot be deleted: {', '.join(kinds) or 'other records'} still refer to it.")


def exception_handler(exc, context):
    """Errors as JSON with ``detail`` (a sentence a person can act on) and, for bad input, ``errors``."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("No such record, or you may not see it.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = _in_use(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        response.data = {"detail": f"Invalid input. {_first_message(errors)}", "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    request = context.get("request")
    if request is not None and getattr(request, "request_id", None):
        response.data["request_id"] = request.request_id
    return response


class RegisterViewSet(viewsets.ModelViewSet):
    """Base for register APIs: rows restricted by the engine; writes go through services."""

    # For a list: the columns its serializer reads of each joined relation (``{"owner": ("username",)}``).
    # A list then reads those, not each joined row whole (four users' passwords, e-mails and dates per risk);
    # the record's own columns are all read. One record read to be shown or changed reads whole rows.
    list_related_columns: dict[str, tuple[str, ...]] = {}

    def get_queryset(self):
        action = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "DELETE": "delete"}.get(
            self.request.method, "change"
        )
        queryset = self.restricted_queryset(action)
        if self.action == "list" and self.list_related_columns:
            own = [field.name for field in queryset.model._meta.concrete_fields]
            related = [f"{name}__{column}" for name, columns in self.list_related_columns.items() for column in columns]
            queryset = queryset.only(*own, *related)
        return queryset

    def restricted_queryset(self, action: str):
        """Rows the user may act on; registers override to add joins (through their selectors)."""
        return self.queryset.model.objects.restrict(self.request.user, action)

    def perform_create(self, serializer):
        serializer.instance = self.create_record(serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.update_record(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance):
        self.delete_record(instance)

    def create_record(self, data):  # pragma: no cover - every register defines it
        raise NotImplementedError

    def update_record(self, instance, data):  # pragma: no cover
        raise NotImplementedError

    def delete_record(self, instance):  # pragma: no cover
        raise NotImplementedError
