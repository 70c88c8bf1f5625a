"""The OpenAPI schema's error answers: every operation lists the 4xx statuses it can really give, with the body
``qms.core.api.exception_handler`` (or ``qms.core.errors`` for Django's own refusals) sends with them.

What decides each status, from how the views answer:
- 400: every write (the serializer checks the shape, the service refuses with a ``ValidationError`` naming the
  field; unreadable JSON is a 400 too), and a read whose query parameters are checked (choices, ids, numbers,
  dates). Free text, django-filter's lenient booleans, ``ordering`` and ``page_size`` never refuse.
- 401: the view authenticates (no credentials, or a token that does not exist).
- 403: the view checks permissions, or a write is signed in by session (CSRF).
- 404: a path parameter (the record is missing or hidden from the user), or a paginated list (``page`` that is
  not a number or is past the last page: ``PageNumberPagination`` raises ``NotFound``).
- 409: a delete of a record that protected rows still refer to (``ProtectedError``/``RestrictedError``).
- 415: a request body in a media type the view cannot parse.
- 429: a throttled view, or one declaring a throttle scope (the token exchange's sign-in lockout).
405 is never listed: a method the view does not answer is not in the schema either.
"""

from __future__ import annotations

from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import ScopedRateThrottle

ERROR_MEDIA_TYPE = "application/json"

ERROR_SCHEMA = {
    "type": "object",
    "description": "A refusal: a sentence a person can act on.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in a sentence."},
        "request_id": {"type": "string", "description": "The request's id, for the logs."},
    },
    "required": ["detail"],
}

VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Invalid input, or a change a business rule refuses.",
    "properties": {
        "detail": {"type": "string", "description": "The first problem, in a sentence."},
        "errors": {
            "description": "Field name -> list of messages (``non_field_errors`` for the whole input; a nested "
            "object for nested input), or a list of messages. Absent when the body could not be parsed.",
            "oneOf": [
                {
                    "type": "object",
                    "additionalProperties": {
                        "anyOf": [
                            {"type": "array", "items": {}},
                            {"type": "object", "additionalProperties": {}},
                            {"type": "string"},
                        ]
                    },
                },
                {"type": "array", "items": {"type": "string"}},
            ],
        },
        "request_id": {"type": "string", "description": "The request's id, for the logs."},
    },
    "required": ["detail"],
}

ERROR_COMPONENT = "Error"
VALIDATION_ERROR_COMPONENT = "ValidationError"

DESCRIPTIONS = {
    "400": "Invalid input, or refused by a business rule; ``errors`` names the fields.",
    "401": "Not signed in, or the token does not exist.",
    "403": "Your role may not do this (or, signed in by session, the CSRF token is missing).",
    "404": "No such record, or you may not see it.",
    "409": "Other records still refer to this one, so it cannot be deleted.",
    "415": "The request body is in a media type this operation does not read.",
    "429": "Too many requests; try again after ``Retry-After`` seconds.",
}
QUERY_INVALID = "A query parameter is not valid; ``errors`` names it."
LIST_NOT_FOUND = "No such page (``page`` past the last one, or not a number)."

# Query parameters of these JSON schema shapes are taken as given by django-filter: a CharFilter never refuses
# and a BooleanFilter reads anything it does not know as "no filter".
_LENIENT_FILTER_TYPES = {"string", "boolean"}


class ErrorResponsesAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, adding to each operation the error answers it can give."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status_code in self._error_status_codes(operation):
            component = self._error_component(status_code)
            content = {ERROR_MEDIA_TYPE: {"schema": component.ref}}
            documented = responses.get(status_code)
            if documented is None:
                responses[status_code] = {"content": content, "description": self._error_description(status_code)}
            elif "content" not in documented:
                # A view that names the status (e.g. "Not ready") keeps its words; the body is the usual one.
                documented["content"] = content
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_status_codes(self, operation: dict) -> list[str]:
        codes = []
        if self.method not in SAFE_METHODS or self._query_is_checked(operation):
            codes.append("400")
        if self.view.authentication_classes:
            codes.append("401")
        if self.view.permission_classes or (self.method not in SAFE_METHODS and self._signs_in_by_session()):
            codes.append("403")
        if self._has_path_parameter(operation) or self._is_paginated_list():
            codes.append("404")
        if self.method == "DELETE" and self._deletion_may_be_refused():
            codes.append("409")
        if "requestBody" in operation:
            codes.append("415")
        if self._is_throttled():
            codes.append("429")
        return codes

    def _error_component(self, status_code: str) -> ResolvedComponent:
        name, schema = (
            (VALIDATION_ERROR_COMPONENT, VALIDATION_ERROR_SCHEMA)
            if status_code == "400"
            else (ERROR_COMPONENT, ERROR_SCHEMA)
        )
        # The same object every time: the registry takes a second, different one for a name clash.
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
        self.registry.register_on_missing(component)
        return component

    def _error_description(self, status_code: str) -> str:
        if status_code == "400" and self.method in SAFE_METHODS:
            return QUERY_INVALID
        if status_code == "404" and not self._has_path_parameter_in_path():
            return LIST_NOT_FOUND
        return DESCRIPTIONS[status_code]

    def _query_is_checked(self, operation: dict) -> bool:
        """Whether a documented query parameter is validated, so that a bad value is answered with 400."""
        ignored = self._ignored_query_parameters()
        filter_names = {parameter["name"] for parameter in self._get_filter_parameters()}
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or parameter["name"] in ignored:
                continue
            schema = parameter.get("schema", {})
            constrained = bool({"enum", "format", "items", "pattern", "maxLength"} & set(schema))
            if constrained:
                return True
            lenient = _LENIENT_FILTER_TYPES if parameter["name"] in filter_names else {"string"}
            if schema.get("type") not in lenient:
                return True
        return False

    def _ignored_query_parameters(self) -> set[str]:
        """Parameters that fall back to a default instead of refusing (or, for ``page``, answer 404)."""
        names = set()
        paginator = self._get_paginator()
        if paginator is not None:
            names |= {
                getattr(paginator, attribute, None)
                for attribute in (
                    "page_query_param",
                    "page_size_query_param",
                    "limit_query_param",
                    "offset_query_param",
                    "cursor_query_param",
                )
            }
        for backend in getattr(self.view, "filter_backends", []):
            if issubclass(backend, OrderingFilter):
                names.add(backend.ordering_param)
        return names - {None}

    def _has_path_parameter(self, operation: dict) -> bool:
        return any(parameter["in"] == "path" for parameter in operation.get("parameters", []))

    def _has_path_parameter_in_path(self) -> bool:
        return "{" in self.path

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _signs_in_by_session(self) -> bool:
        return any(issubclass(backend, SessionAuthentication) for backend in self.view.authentication_classes)

    def _is_throttled(self) -> bool:
        if getattr(self.view, "throttle_scope", None):
            return True
        # ScopedRateThrottle lets through every view without a scope; any other throttle applies to all.
        return any(not issubclass(throttle, ScopedRateThrottle) for throttle in self.view.throttle_classes)

    def _deletion_may_be_refused(self) -> bool:
        queryset = getattr(self.view, "queryset", None)
        model = queryset.model if queryset is not None else getattr(self.view, "permission_model", None)
        return model is None or _protected_by_references(model, seen=set())


def _protected_by_references(model: type[models.Model], *, seen: set) -> bool:
    """Whether deleting a row of ``model`` can meet a PROTECT or RESTRICT reference, directly or through the
    rows its deletion cascades to."""
    if model in seen:
        return False
    seen.add(model)
    for relation in model._meta.related_objects:
        on_delete = getattr(relation, "on_delete", None)
        if on_delete in (models.PROTECT, models.RESTRICT):
            return True
        if on_delete is models.CASCADE and _protected_by_references(relation.related_model, seen=seen):
            return True
    return False
