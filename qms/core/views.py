"""Pages every part of the portal shares: home, health, and the register list/detail pattern."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from qms.accounts.permissions import can

from . import exporting, keyset
from .health import broker_status, database_status
from .homepage import home_sections
from .importing import plan_import, read_table
from .pagination import ListPaginator


@never_cache
def healthz(request):
    db_ok, db_detail = database_status()
    broker_ok, broker_detail = broker_status()
    healthy = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
        },
        status=200 if healthy else 503,
    )


def home(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return render(request, "core/home.html", {"sections": home_sections(request.user)})


class RegisterViewMixin(LoginRequiredMixin):
    """Checks the engine for ``permission_action`` on ``model``; rows come from ``restrict``."""

    model = None
    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, self.permission_action, self.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.permission_action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        context["opts"] = opts
        context["can_add"] = can(self.request.user, "add", self.model)
        context["can_change"] = can(self.request.user, "change", self.model)
        context["can_delete"] = can(self.request.user, "delete", self.model)
        context["can_export"] = can(self.request.user, "export", self.model)
        context["can_import"] = can(self.request.user, "import", self.model)
        return context


class RegisterListView(RegisterViewMixin, ListView):
    """Search, filters, sort, pagination and export of the filtered list, the same on every register.

    A subclass sets ``filterset_class``, ``columns`` (``(attribute, heading)`` pairs),
    ``sortable`` (heading key -> order_by expression) and ``export_columns``.
    """

    template_name = "core/list.html"
    paginate_by = 25
    paginator_class = ListPaginator
    filterset_class = None
    columns: list[tuple[str, str]] = []
    sortable: dict[str, str] = {}
    default_sort = ""
    export_columns: list[tuple[str, str]] = []
    export_basename = "export"
    # A template for the cells of one row (the record is ``obj``), when plain column values are not enough;
    # or, quicker on long lists, ``row_cells = staticmethod(f)`` with f(obj, context) writing them escaped.
    row_template = ""
    row_cells = None
    # The fields a page's rows read, "customer__name" through a relation (joined): a page then reads those
    # columns only, not every column of the record and of each joined table. An export reads whole rows.
    list_fields: tuple[str, ...] = ()

    def base_queryset(self):
        return super().get_queryset()

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset(), request=self.request
        )
        queryset = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        sort = self.request.GET.get("sort", self.default_sort)
        self.current_sort = sort if sort.lstrip("-") in self.sortable else self.default_sort
        self.ordering = None
        if self.current_sort:
            key = self.current_sort.lstrip("-")
            prefix = "-" if self.current_sort.startswith("-") else ""
            # The tie-break runs the same way as the sort, so one index on (field, id) serves the page, and
            # the pages after the first seek from the previous page's last row (keyset pagination).
            self.ordering = keyset.ordering_from([f"{prefix}{self.sortable[key]}"])
            queryset = queryset.order_by(*keyset.order_expressions(self.ordering))
        return queryset

    def get_paginator(self, queryset, per_page, **kwargs):
        return self.counted(super().get_paginator(queryset, per_page, **kwargs), *keyset.list_count(queryset))

    def counted(self, paginator, count: int, how: str):
        """The paginator given its count, and the page told how far to trust it (``keyset.list_count``)."""
        paginator.count, paginator.exact = count, how == keyset.EXACT
        self.count_is_estimate, self.count_is_partial = how != keyset.EXACT, how == keyset.MORE
        return paginator

    def is_filtered(self) -> bool:
        """Whether a filter narrows the list: a parameter besides paging and sorting with a value other than
        an empty choice (a yes/no filter's "Any" is sent as "unknown", with every change of another filter)."""
        return any(
            key not in ("page", "cursor", "sort") and value.strip() not in ("", "unknown")
            for key, value in self.request.GET.items()
        )

    def page_queryset(self, queryset):
        """The list as a page reads it: ``list_fields`` only, when the register names them."""
        if not self.list_fields:
            return queryset
        relations = sorted({name.rsplit("__", 1)[0] for name in self.list_fields if "__" in name})
        return queryset.select_related(None).select_related(*relations).only(*relations, *self.list_fields)

    def paginate_queryset(self, queryset, page_size):
        queryset = self.page_queryset(queryset)
        token = self.request.GET.get("cursor", "")
        cursor = keyset.Cursor.loads(token, self.current_sort) if token and self.ordering else None
        self.seen_more = {}
        if cursor is None:
            paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
            if hasattr(page, "more"):  # the count is not exact: the page itself says whether one follows
                self.seen_more = {"next": page.more}
        else:
            paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
            if cursor.last:
                number = paginator.num_pages
                backwards = [(name, not desc) for name, desc in self.ordering]
                on_last = page_size if self.count_is_estimate else paginator.count - (number - 1) * page_size
                rows = list(queryset.order_by(*keyset.order_expressions(backwards))[:on_last])[::-1]
                self.seen_more = {"next": False}
            else:
                # One row more than the page tells whether there is a page after it, whatever the count says.
                rows = list(keyset.seek(queryset, self.ordering, cursor.values, cursor.forward)[: page_size + 1])
                more, rows = len(rows) > page_size, rows[:page_size]
                if not cursor.forward:
                    rows.reverse()
                self.seen_more = {"next": more} if cursor.forward else {"previous": more}
                number = max(1, min(cursor.page, paginator.num_pages))
            page = Page(rows, number, paginator)
            is_paginated = paginator.num_pages > 1
        self.page_links = self._page_links(page, list(page.object_list))
        return paginator, page, page.object_list, is_paginated

    def _page_links(self, page, rows) -> dict[str, str]:
        """First, previous, next and last: cursors when the list is sorted, page numbers otherwise."""
        query = self.request.GET.copy()
        for key in ("page", "cursor", "export"):
            query.pop(key, None)

        def link(**params) -> str:
            linked = query.copy()
            for key, value in params.items():
                linked[key] = value
            return "?" + linked.urlencode()

        links = {}
        number, last = page.number, page.paginator.num_pages
        has_previous = self.seen_more.get("previous", page.has_previous())
        has_next = self.seen_more.get("next", page.has_next())
        if has_previous and number > 1:
            links["first"] = link()
            if number - 1 == 1:
                links["previous"] = link()
            elif self.ordering and rows:
                edge = keyset.row_key(rows[0], self.ordering)
                links["previous"] = link(cursor=keyset.Cursor(self.current_sort, edge, False, number - 1).dumps())
            else:
                links["previous"] = link(page=number - 1)
        if has_next:
            if self.ordering and rows:
                edge = keyset.row_key(rows[-1], self.ordering)
                links["next"] = link(cursor=keyset.Cursor(self.current_sort, edge, True, number + 1).dumps())
                links["last"] = link(cursor=keyset.Cursor(self.current_sort, (), False, last, last=True).dumps())
            else:
                links["next"] = link(page=number + 1)
                links["last"] = link(page=last)
        return links

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("export")
        if export_format:
            if not can(request.user, "export", self.model):
                raise PermissionDenied
            if export_format not in exporting.FORMATS:
                export_format = "csv"
            return exporting.export_response(
                self.get_export_queryset(), self.export_columns, export_format, self.export_basename
            )
        return super().get(request, *args, **kwargs)

    def get_export_queryset(self):
        """The filtered, sorted list an export reads (a register may annotate what its columns need)."""
        return self.get_queryset()

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["core/_list_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "cursor", "export"):
            query.pop(key, None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context.update(
            filterset=self.filterset,
            columns=self.columns,
            sortable=self.sortable,
            row_template=self.row_template,
            rows_written=self.row_cells is not None,
            current_sort=self.current_sort,
            query_string=query.urlencode(),
            sort_query_string=sort_query.urlencode(),
            is_filtered=self.is_filtered(),
            page_links=getattr(self, "page_links", {}),
            count_is_estimate=getattr(self, "count_is_estimate", False),
            count_is_partial=getattr(self, "count_is_partial", False),
        )
        return context


class RegisterDetailView(RegisterViewMixin, DetailView):
    """Fields, related records and history, the same on every register."""

    template_name = "core/detail.html"
    fields: list[tuple[str, str]] = []
    show_history = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fields"] = self.fields
        # The history arrives after the page (core/_history.html): its own request, its own queries.
        context["history_url"] = (
            reverse("audit:record_history", args=[self.object._meta.label_lower, self.object.pk])
            if self.show_history
            else None
        )
        return context


def attach_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names (or the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class RegisterFormView(RegisterViewMixin, View):
    """Create (``get_object`` returns None) or edit one record, the same on every register.

    The form checks shape; ``save(form)`` calls the register's service, whose ValidationError lands on
    the field it names. Invalid input answers 400 and keeps what the user typed.
    """

    form_class = None
    template_name = "core/form.html"

    def get_object(self):
        return None

    def get_title(self) -> str:  # pragma: no cover - every register names its forms
        raise NotImplementedError

    def get_cancel_url(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def save(self, form):  # pragma: no cover
        raise NotImplementedError

    def get_success_url(self, saved) -> str:
        return saved.get_absolute_url()

    def render_form(self, form, status=200):
        context = {
            "form": form,
            "title": self.get_title(),
            "cancel_url": self.get_cancel_url(),
            "opts": self.model._meta,
        }
        return render(self.request, self.template_name, context, status=status)

    def get_initial(self) -> dict:
        """Values a new form starts with (e.g. taken from the query string by a register)."""
        return {}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.form_class(instance=self.object, initial=self.get_initial()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST, instance=self.object)
        verb = "created" if self.object is None else "saved"
        if form.is_valid():
            try:
                saved = self.save(form)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{capfirst(self.model._meta.verbose_name)} {saved} was {verb}.")
                return redirect(self.get_success_url(saved))
        return self.render_form(form, status=400)


class RegisterUpdateView(RegisterFormView):
    """Edit the record named by ``pk`` in the URL (among those the user may change)."""

    permission_action = "change"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return f"Edit {self.model._meta.verbose_name} {self.object}"

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url()


class RegisterDeleteView(RegisterViewMixin, View):
    """GET asks for confirmation (saying what else goes); POST deletes through the register's service."""

    permission_action = "delete"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def consequences(self, obj) -> list[str]:
        return []

    def delete(self, obj) -> None:  # pragma: no cover
        raise NotImplementedError

    def get_success_url(self, obj) -> str:  # pragma: no cover
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = {
            "object": obj,
            "opts": self.model._meta,
            "consequences": self.consequences(obj),
            "cancel_url": obj.get_absolute_url(),
        }
        return render(request, "core/confirm_delete.html", context)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        label, success_url = str(obj), self.get_success_url(obj)
        try:
            self.delete(obj)
        except (ProtectedError, RestrictedError) as exc:
            # Records that must keep pointing at this one: nothing was deleted; say which kinds.
            blocking = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            kinds = sorted({str(item._meta.verbose_name_plural) for item in blocking}) or ["other records"]
            messages.error(request, f"{label} was not deleted: {', '.join(kinds)} still refer to it.")
            return redirect(obj.get_absolute_url())
        except ValidationError as exc:
            messages.error(request, f"{label} was not deleted: {' '.join(exc.messages)}")
            return redirect(obj.get_absolute_url())
        messages.success(request, f"{capfirst(self.model._meta.verbose_name)} {label} was deleted.")
        return redirect(success_url)


class RegisterImportView(RegisterViewMixin, TemplateView):
    """CSV/XLSX import, the same on every register. Step 1 uploads and previews (nothing saved);
    step 2 validates every row again and applies the valid ones through the register's service.

    A subclass names ``columns``, ``required``, ``key``, ``upload_form_class``, ``list_url_name`` and
    implements ``validate_row(data)`` and ``apply(plan) -> counts`` (created, updated, unchanged and,
    optionally, ``failed``: row number -> errors for rows refused at confirmation).
    """

    permission_action = "import"
    columns: list[str] = []
    required: list[str] = []
    key = ""
    upload_form_class = None
    list_url_name = ""

    @property
    def session_key(self) -> str:
        return f"import:{self.model._meta.label_lower}"

    def validate_row(self, data: dict):  # pragma: no cover - every register validates its rows
        raise NotImplementedError

    def apply(self, plan) -> dict:  # pragma: no cover
        raise NotImplementedError

    def _plan(self, records):
        return plan_import(
            records, columns=self.columns, required=self.required, key=self.key, validate_row=self.validate_row
        )

    def get_context_data(self, **kwargs):
        from django.urls import reverse

        context = super().get_context_data(**kwargs)
        context.update(list_url=reverse(self.list_url_name), key=self.key)
        return context

    def get(self, request, *args, **kwargs):
        request.session.pop(self.session_key, None)
        return self.render_to_response(self.get_context_data(form=self.upload_form_class()))

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self._confirm(request)
        form = self.upload_form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            records = read_table(form.cleaned_data["file"])
            plan = self._plan(records)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        filename = form.cleaned_data["file"].name
        request.session[self.session_key] = {"records": records, "filename": filename}
        return self.render_to_response(
            self.get_context_data(
                plan=plan, filename=filename, create_count=plan.count("create"), update_count=plan.count("update")
            )
        )

    def _confirm(self, request):
        stored = request.session.get(self.session_key)
        if not stored:
            messages.error(request, "The import preview has expired. Upload the file again.")
            return redirect(request.path)
        plan = self._plan(stored["records"])
        if not plan.valid_rows:
            messages.error(request, "No row of this file is valid, so nothing was imported.")
            return redirect(request.path)
        counts = self.apply(plan)
        del request.session[self.session_key]
        failed = counts.get("failed", {})
        skipped = len(plan.invalid_rows) + len(failed)
        messages.success(
            request,
            f"Import of {stored['filename']} done: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged" + (f", {skipped} invalid row(s) skipped." if skipped else "."),
        )
        for number, errors in failed.items():
            reasons = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in errors.items())
            messages.warning(request, f"Row {number} was not imported: {reasons}")
        return redirect(self.list_url_name)
