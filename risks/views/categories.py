"""Categories of risks and opportunities, kept by quality managers."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from qms.core.filters import PortalFilterSet, YesNoFilter
from qms.core.views import RegisterDeleteView, RegisterListView, RegisterViewMixin, attach_errors

from .. import services
from ..forms import CategoryForm
from ..models import RiskCategory


class CategoryFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    active = YesNoFilter(label="Active")

    class Meta:
        model = RiskCategory
        fields = ["q", "active"]


class CategoryListView(RegisterListView):
    model = RiskCategory
    filterset_class = CategoryFilterSet
    template_name = "risks/category_list.html"
    columns = [("name", "Name"), ("active", "Active")]
    sortable = {"name": "name", "active": "active"}
    default_sort = "name"
    export_columns = [("name", "name"), ("active", "active")]
    export_basename = "risk-categories"
    row_template = "risks/_category_row.html"
    extra_context = {
        "title": "Risk categories",
        "empty_hint": "Add the categories risks and opportunities are filed under.",
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = reverse("risks:category_create")
        return context


class CategoryCreateView(RegisterViewMixin, View):
    model = RiskCategory
    permission_action = "add"

    def get_category(self):
        return None

    def _render(self, form, category, status=200):
        context = {
            "form": form,
            "title": f"Edit category {category}" if category else "New risk category",
            "cancel_url": reverse("risks:category_list"),
            "opts": self.model._meta,
        }
        return render(self.request, "core/form.html", context, status=status)

    def get(self, request, *args, **kwargs):
        category = self.get_category()
        return self._render(CategoryForm(instance=category), category)

    def post(self, request, *args, **kwargs):
        category = self.get_category()
        form = CategoryForm(request.POST, instance=category)
        if form.is_valid():
            try:
                saved = services.category_save(actor=request.user, category=self.get_category(), data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Category {saved} was {'saved' if category else 'created'}.")
                return redirect("risks:category_list")
        return self._render(form, category, status=400)


class CategoryUpdateView(CategoryCreateView):
    permission_action = "change"

    def get_category(self):
        # A fresh copy each call: the bound form must not change the one the service compares with.
        return get_object_or_404(RiskCategory.objects.restrict(self.request.user, "change"), pk=self.kwargs["pk"])


class CategoryDeleteView(RegisterDeleteView):
    model = RiskCategory

    def consequences(self, category):
        if category.entries.exists():
            return ["Entries are filed under this category, so it cannot be deleted; make it inactive instead."]
        return []

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("risks:category_list")

    def delete(self, category):
        services.category_delete(actor=self.request.user, category=category)

    def get_success_url(self, category):
        return reverse("risks:category_list")
