"""Pages where quality managers configure the feedback register: categories and time targets."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from qms.accounts.permissions import can
from qms.core.filters import PortalFilterSet, YesNoFilter
from qms.core.views import (
    RegisterDeleteView,
    RegisterListView,
    RegisterViewMixin,
    attach_errors,
)

from .. import selectors, services
from ..forms import (
    CategoryForm,
    HolidayForm,
    SlaTargetForm,
    WorkingWeekForm,
)
from ..models import Category, Holiday, SlaTarget, WorkingWeek


class CategoryFilterSet(PortalFilterSet):
    # Categories are few: a search and the active flag are all the list needs.
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    active = YesNoFilter(label="Active")

    class Meta:
        model = Category
        fields = ["q", "active"]


class CategoryListView(RegisterListView):
    model = Category
    filterset_class = CategoryFilterSet
    columns = [("name", "Name"), ("description", "Description"), ("active", "Active")]
    sortable = {"name": "name", "active": "active"}
    default_sort = "name"
    export_columns = [("name", "name"), ("description", "description"), ("active", "active")]
    export_basename = "feedback-categories"
    template_name = "feedback/category_list.html"
    extra_context = {
        "title": "Complaint categories",
        "empty_hint": "Add the categories complaints are filed under (they make the Pareto chart).",
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("feedback:category_create")
        return context


class CategoryCreateView(RegisterViewMixin, View):
    model = Category
    permission_action = "add"

    def _render(self, form, title, status=200):
        context = {
            "form": form,
            "title": title,
            "cancel_url": reverse("feedback:category_list"),
            "opts": self.model._meta,
        }
        return render(self.request, "core/form.html", context, status=status)

    def get_category(self):
        return None

    def get(self, request, *args, **kwargs):
        category = self.get_category()
        return self._render(CategoryForm(instance=category), self.title(category))

    def title(self, category):
        return f"Edit category {category}" if category else "New category"

    def post(self, request, *args, **kwargs):
        category = self.get_category()
        title = self.title(category)
        form = CategoryForm(request.POST, instance=category)
        if form.is_valid():
            try:
                saved = services.category_save(actor=request.user, category=category, data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Category {saved} was {'saved' if category else 'created'}.")
                return redirect("feedback:category_list")
        return self._render(form, title, status=400)


class CategoryUpdateView(CategoryCreateView):
    permission_action = "change"

    def get_category(self):
        # A fresh copy each call: the form must not change the one the service reads.
        return get_object_or_404(Category.objects.restrict(self.request.user, "change"), pk=self.kwargs["pk"])


class CategoryDeleteView(RegisterDeleteView):
    model = Category

    def consequences(self, category):
        if category.feedback_items.exists():
            return ["Feedback is filed under this category, so it cannot be deleted; make it inactive instead."]
        return []

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("feedback:category_list")

    def delete(self, category):
        services.category_delete(actor=self.request.user, category=category)

    def get_success_url(self, category):
        return reverse("feedback:category_list")


# Time targets --------------------------------------------------------------------------------------


class SlaSettingsView(RegisterViewMixin, TemplateView):
    """The time targets per severity, the working week and holidays: quality managers edit them, others
    who may view read them."""

    model = SlaTarget
    template_name = "feedback/sla_settings.html"

    def _may_edit(self) -> bool:
        user = self.request.user
        return all(can(user, "change", model) and can(user, "add", model) for model in (SlaTarget, WorkingWeek))

    def _target_forms(self, data=None) -> list[tuple[dict, SlaTargetForm]]:
        forms = []
        for row in selectors.target_rows():
            initial = {name: row[name] for name in services.TARGET_FIELDS}
            forms.append((row, SlaTargetForm(data, initial=initial, prefix=row["severity"])))
        return forms

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        may_edit = self._may_edit()
        week = selectors.working_week()
        context.update(
            title="Time targets",
            may_edit=may_edit,
            target_rows=selectors.target_rows(),
            week=week,
            week_days=[(name, getattr(week, name)) for name in WorkingWeekForm.Meta.fields],
            holidays=selectors.holidays(),
            may_delete_holiday=can(self.request.user, "delete", Holiday),
            may_add_holiday=can(self.request.user, "add", Holiday),
        )
        if may_edit:
            context.setdefault("target_forms", self._target_forms())
            context.setdefault("week_form", WorkingWeekForm(instance=WorkingWeek.objects.first()))
        if context["may_add_holiday"]:
            context.setdefault("holiday_form", HolidayForm())
        return context

    def post(self, request, *args, **kwargs):
        self._refuse_unless(self._may_edit())
        part = request.POST.get("part")
        if part == "targets":
            return self._save_targets(request)
        if part == "week":
            return self._save_week(request)
        if part == "holiday":
            return self._save_holiday(request)
        messages.error(request, "Choose what to save.")
        return redirect("feedback:sla_settings")

    def _refuse_unless(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    def _save_targets(self, request):
        self._refuse_unless(self._may_edit())
        forms = self._target_forms(request.POST)
        if all(form.is_valid() for _, form in forms):
            try:
                for row, form in forms:
                    if row["is_default"] or form.has_changed():
                        services.sla_target_save(actor=request.user, severity=row["severity"], data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "The time targets were saved; open complaints have new due times.")
                return redirect("feedback:sla_settings")
        return self.render_to_response(self.get_context_data(target_forms=forms, targets_error=True), status=400)

    def _save_week(self, request):
        self._refuse_unless(self._may_edit())
        form = WorkingWeekForm(request.POST, instance=WorkingWeek.objects.first())
        if form.is_valid():
            try:
                services.working_week_save(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "The working week was saved; open complaints have new due times.")
                return redirect("feedback:sla_settings")
        return self.render_to_response(self.get_context_data(week_form=form), status=400)

    def _save_holiday(self, request):
        self._refuse_unless(can(request.user, "add", Holiday))
        form = HolidayForm(request.POST)
        if form.is_valid():
            try:
                holiday = services.holiday_save(actor=request.user, holiday=None, data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Holiday {holiday} was added.")
                return redirect("feedback:sla_settings")
        return self.render_to_response(self.get_context_data(holiday_form=form), status=400)


class HolidayDeleteView(RegisterDeleteView):
    model = Holiday

    def get(self, request, *args, **kwargs):
        holiday = self.get_object()
        context = {
            "object": holiday,
            "opts": self.model._meta,
            "consequences": ["Open complaints get new due times without this day off."],
            "cancel_url": reverse("feedback:sla_settings"),
        }
        return render(request, "core/confirm_delete.html", context)

    def delete(self, holiday):
        services.holiday_delete(actor=self.request.user, holiday=holiday)

    def get_success_url(self, holiday):
        return reverse("feedback:sla_settings")
