"""API pagination (its own module: DRF imports it while loading its generic views).

Page numbers as DRF gives them (``count``, ``next``, ``previous``, ``results``; ``?page=N`` still works),
but the ``next`` and ``previous`` links carry a keyset cursor (``?cursor=…``): following them reads the next
rows after the last one seen, from an index, however deep into two million complaints a client pages.
The ordering always ends in the primary key, so rows with equal sort values come in a stable order.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import keyset


def _names(queryset) -> list[str] | None:
    names = list(queryset.query.order_by) or list(queryset.model._meta.ordering or [])
    return names if all(isinstance(name, str) for name in names) else None


def _is_plain_value(model, name: str, annotations) -> bool:
    """A column (through to-one relations) or an annotation: a value a cursor can hold and compare."""
    name = name.lstrip("-")
    if name in ("pk", "id") or name in annotations:
        return True
    for position, part in enumerate(name.split("__")):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        last = position == len(name.split("__")) - 1
        if field.is_relation:
            if last or not (field.many_to_one or field.one_to_one):
                return False  # ordering by a relation follows the related model's own ordering
            model = field.related_model
        elif not last:
            return False
    return True


def keyset_ordering(queryset) -> keyset.Ordering | None:
    if not hasattr(queryset, "query"):  # a list: paged by offset
        return None
    names = _names(queryset)
    if not names or not all(_is_plain_value(queryset.model, name, queryset.query.annotations) for name in names):
        return None
    return keyset.ordering_from(names)


class ListPaginator(Paginator):
    """A paginator whose count may fall short of the rows (``exact`` false: an estimate, or a list counted
    only so far). Its pages are read as asked for, never cut at the count, and read one row more: ``more``
    on the page says whether another page follows, whatever the count says."""

    exact = True

    def page(self, number):
        number = self.validate_number(number)  # counts first: counting may find the count is not exact
        if self.exact:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page


class EstimatingPaginator(ListPaginator):
    """Counts exactly, except a whole table larger than ``LIST_EXACT_COUNT_UP_TO`` on PostgreSQL (its estimate)
    and a list with more rows than ``LIST_COUNT_UP_TO`` (that number): ``keyset.list_count``."""

    @cached_property
    def count(self) -> int:
        if not hasattr(self.object_list, "query"):
            return super().count
        count, how = keyset.list_count(self.object_list)
        self.exact = how == keyset.EXACT
        return count


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    django_paginator_class = EstimatingPaginator

    def paginate_queryset(self, queryset, request, view=None):
        self.ordering = keyset_ordering(queryset)
        self.ordering_key = ",".join(name + ("-" if desc else "+") for name, desc in self.ordering or [])
        if self.ordering:
            queryset = queryset.order_by(*keyset.order_expressions(self.ordering))
        token = request.query_params.get(self.cursor_query_param, "")
        cursor = keyset.Cursor.loads(token, self.ordering_key) if token and self.ordering else None
        self.more = {}
        if cursor is None or cursor.last:
            rows = super().paginate_queryset(queryset, request, view)
            self.rows = list(rows) if rows is not None else None
            if hasattr(getattr(self, "page", None), "more") and not cursor:
                self.more = {"next": self.page.more}
            return self.rows
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        # One row more than the page tells whether a page follows (the count may be an estimate).
        rows = list(keyset.seek(queryset, self.ordering, cursor.values, cursor.forward)[: page_size + 1])
        self.more = {"next" if cursor.forward else "previous": len(rows) > page_size}
        rows = rows[:page_size]
        if not cursor.forward:
            rows.reverse()
        self.page = Page(rows, max(1, min(cursor.page, paginator.num_pages)), paginator)
        self.request = request
        self.rows = rows
        return rows

    def _cursor_link(self, row, forward: bool, number: int) -> str:
        cursor = keyset.Cursor(self.ordering_key, keyset.row_key(row, self.ordering), forward, number)
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor.dumps())

    def get_next_link(self):
        if not self.more.get("next", self.page.has_next()):
            return None
        if self.ordering and self.rows:
            return self._cursor_link(self.rows[-1], True, self.page.number + 1)
        return super().get_next_link()

    def get_previous_link(self):
        if not self.more.get("previous", self.page.has_previous()) or self.page.number <= 1:
            return None
        if self.page.number - 1 == 1:
            url = remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
            return remove_query_param(url, self.page_query_param)
        if self.ordering and self.rows:
            return self._cursor_link(self.rows[0], False, self.page.number - 1)
        return super().get_previous_link()

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: copy it from a response's next or previous link (an "
                "unreadable cursor gives the first page).",
                "schema": {"type": "string"},
            }
        )
        return parameters
