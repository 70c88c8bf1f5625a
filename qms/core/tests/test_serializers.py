"""The planned serializers (qms/core/serializers.py) answer exactly what DRF's own code answers: every API list
and record of the demo data set is read twice, planned and with DRF's ``to_representation`` and link
reversing put back, and the two bodies compared."""

from __future__ import annotations

import io
import json
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import DateTimeField
from rest_framework.test import APIRequestFactory

from customers.models import Customer
from feedback.api.serializers import FeedbackItemSerializer
from feedback.models import FeedbackItem
from qms.accounts.permissions import can
from qms.audit.context import audit_context
from qms.core.serializers import (
    PREFETCHED,
    PlannedReadMixin,
    RecordLinkField,
    RegisterSerializer,
    _representation,
    prefetched,
)
from requirements.models import Requirement
from risks.api.serializers import RiskEntrySerializer
from risks.models import RiskEntry

LISTS = [
    "/api/v1/customers/",
    "/api/v1/feedback/",
    "/api/v1/requirements/",
    "/api/v1/risks/",
    "/api/v1/actions/",
    "/api/v1/reviews/",
    "/api/v1/kpis/",
    "/api/v1/objectives/",
    "/api/v1/summaries/",
    "/api/v1/interested-parties/",
    "/api/v1/campaigns/",
    "/api/v1/survey-templates/",
    "/api/v1/risk-matrix/",
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    with audit_context(source="cli"):  # links the demo set leaves out
        requirements = list(Requirement.objects.order_by("pk")[:3])
        for item in FeedbackItem.objects.order_by("pk")[:3]:
            item.requirements.add(*requirements[:2])
        for entry in RiskEntry.objects.order_by("pk")[:2]:
            entry.requirements.add(*requirements)
            entry.customers.add(*Customer.objects.order_by("pk")[:2])
            entry.feedback_items.add(*FeedbackItem.objects.order_by("pk")[:2])
    return get_user_model().objects.get(username="quality")


def _drf_as_shipped(monkeypatch):
    monkeypatch.setattr(PlannedReadMixin, "to_representation", serializers.Serializer.to_representation)
    monkeypatch.setattr(RegisterSerializer, "get_fields", serializers.ModelSerializer.get_fields)
    monkeypatch.setattr(RecordLinkField, "get_url", serializers.HyperlinkedIdentityField.get_url)


def _bodies(client, urls):
    bodies = {}
    for url in urls:
        response = client.get(url, {"page_size": 100})
        assert response.status_code == 200, (url, response.status_code)
        bodies[url] = response.json()
    return bodies


def _record_urls(bodies):
    return [row["url"].removeprefix("http://testserver") for body in bodies.values() for row in body["results"]]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_every_list_and_record_reads_as_drf_reads_it(demo, client, monkeypatch, zone):
    client.force_login(demo)
    with override_settings(TIME_ZONE=zone), timezone.override(zoneinfo.ZoneInfo(zone)):
        planned = _bodies(client, LISTS)
        records = _record_urls(planned)
        planned.update(_bodies(client, records))
        _drf_as_shipped(monkeypatch)
        shipped = _bodies(client, LISTS + records)
    assert len(records) > 40
    # The demo set gives the planned paths something to do: linked records, histories, datetimes.
    feedback = planned["/api/v1/feedback/"]["results"]
    assert any(row["transitions"] for row in feedback) and any(row["requirements"] for row in feedback)
    risks = planned["/api/v1/risks/"]["results"]
    assert any(row["customers"] or row["feedback_items"] or row["requirements"] for row in risks)
    offset = "+01:00" if zone == "Europe/Berlin" else "Z"
    assert feedback[0]["received_at"].endswith(offset)
    assert json.dumps(planned, sort_keys=True) == json.dumps(shipped, sort_keys=True)


def test_a_record_read_without_the_lists_prefetch_reads_the_same(demo):
    request = APIRequestFactory().get("/api/v1/feedback/")
    request.user = demo
    context = {"request": request}
    for serializer, model, relations in (
        (FeedbackItemSerializer, FeedbackItem, ("requirements", "transitions")),
        (RiskEntrySerializer, RiskEntry, ("requirements", "customers", "feedback_items")),
    ):
        listed = model.objects.prefetch_related(*relations).order_by("pk")
        quick = model.objects.prefetch_related(*(prefetched(name) for name in relations)).order_by("pk")
        assert all(PREFETCHED + relations[0] in row.__dict__ for row in quick)
        assert serializer(quick, many=True, context=context).data == serializer(listed, many=True, context=context).data
        plain = model.objects.order_by("pk")
        assert serializer(plain, many=True, context=context).data == serializer(listed, many=True, context=context).data


def test_datetimes_outside_the_quick_path_are_drfs():
    field = DateTimeField()
    represent = _representation(field)
    naive = timezone.datetime(2026, 3, 1, 12, 30)
    aware = timezone.make_aware(naive, zoneinfo.ZoneInfo("UTC"))
    assert represent(aware) == field.to_representation(aware) == "2026-03-01T12:30:00Z"
    assert represent(naive) == field.to_representation(naive)
    assert represent("2026-03-01") == "2026-03-01"
    formatted = DateTimeField(format="%Y")
    assert _representation(formatted)(aware) == "2026"


@override_settings(ALLOWED_HOSTS=["qms.example.org"])
def test_record_links_keep_the_request_host_and_fall_back_for_other_ids(demo):
    request = APIRequestFactory().get("/api/v1/feedback/", HTTP_HOST="qms.example.org")
    request.user = demo
    item = FeedbackItem.objects.order_by("pk").first()
    data = FeedbackItemSerializer(item, context={"request": request}).data
    assert data["url"] == f"http://qms.example.org/api/v1/feedback/{item.pk}/"
    field = RecordLinkField(view_name="api:feedbackitem-detail", lookup_field="reference", lookup_url_kwarg="pk")
    field.bind("url", FeedbackItemSerializer(context={"request": request}))
    assert field.get_url(item, field.view_name, request, None) == (
        f"http://qms.example.org/api/v1/feedback/{item.reference}/"
    )


def test_can_reads_through_the_lazy_request_user_and_the_permission_cache(demo, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import SimpleLazyObject

    lazy = SimpleLazyObject(lambda: demo)
    assert can(lazy, "view", FeedbackItem) and can(demo, "change", FeedbackItem)
    assert not can(SimpleLazyObject(AnonymousUser), "view", FeedbackItem)
    with override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"]):
        assert can(demo, "view", FeedbackItem)  # Django's own path
    demo._perm_cache = set()
    assert not can(demo, "view", FeedbackItem)  # the cache the backend answers from


def test_related_ids_are_read_from_the_rows_own_column_empty_or_not(demo):
    """A plain PrimaryKeyRelatedField of a foreign key reads the row's ``<name>_id``, as DRF's
    ``serializable_value`` does, without a PKOnlyObject per row; an empty key is ``null``."""
    request = APIRequestFactory().get("/api/v1/risks/")
    request.user = demo
    serializer = RiskEntrySerializer(context={"request": request})
    planned = {name: read for name, read, _represent in serializer._read_plan()}
    keyed = ("category", "context_issue", "interested_party")
    assert all(planned[name](RiskEntry(**{f"{name}_id": 7})) == 7 for name in keyed)
    entry = RiskEntry.objects.order_by("pk").first()
    RiskEntry.objects.filter(pk=entry.pk).update(category=None)
    entry.refresh_from_db()
    fast = serializer.to_representation(entry)
    assert fast["category"] is None and fast["owner"] == entry.owner.username
    assert fast == serializers.Serializer.to_representation(serializer, entry)


RISK_KEYS = ("owner", "category", "accepted_by", "approved_by", "proposed_by")


def test_many_to_many_ids_are_read_with_the_rows_in_the_related_models_order(demo, django_assert_num_queries):
    """``with_related_ids``: on PostgreSQL each row's linked ids come in the page's own query, as arrays (no
    query and no model instance per relation); elsewhere by prefetching. Either way the ids are those DRF
    reads through the relation, in the related model's order, empty lists included."""
    from django.db import connection

    from qms.core.serializers import RELATED_IDS, with_related_ids

    request = APIRequestFactory().get("/api/v1/risks/")
    request.user = demo
    context = {"request": request}
    linked = RiskEntry.objects.order_by("pk").first()
    with audit_context(source="cli"):
        linked.customers.add(*Customer.objects.order_by("-name")[:3])  # added out of the customers' order
    relations = ("requirements", "customers", "feedback_items")
    on_postgresql = connection.vendor == "postgresql"
    with django_assert_num_queries(1 if on_postgresql else 1 + len(relations)):
        entries = list(with_related_ids(RiskEntry.objects.select_related(*RISK_KEYS).order_by("pk"), *relations))
    assert all((RELATED_IDS + "customers" in entry.__dict__) is on_postgresql for entry in entries)
    assert can(demo, "change", RiskEntry)  # the user's permissions, read once per request
    with django_assert_num_queries(0):
        quick = RiskEntrySerializer(entries, many=True, context=context).data
    shipped = RiskEntrySerializer(RiskEntry.objects.order_by("pk"), many=True, context=context)
    shipped.child.to_representation = lambda entry: serializers.Serializer.to_representation(shipped.child, entry)
    assert quick == shipped.data
    first = quick[0]
    assert first["customers"] == list(linked.customers.order_by("name", "code").values_list("pk", flat=True))
    assert len(first["customers"]) >= 3 and any(not row["customers"] for row in quick)


def test_each_serializer_has_fields_of_its_own_built_once_per_class(demo, rf, monkeypatch):
    """The model's fields are worked out once per class; each serializer gets its own copies, so what one
    request sets on its fields (the records its user may link) never reaches another's or the class's."""
    from rest_framework.request import Request

    def serializer_for(user):
        request = Request(rf.get("/api/v1/risks/"))
        request.user = user
        return RiskEntrySerializer(context={"request": request})

    built = []
    real = serializers.ModelSerializer.get_fields
    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", lambda self: built.append(1) or real(self))
    monkeypatch.delattr(RiskEntrySerializer, "_built_fields", raising=False)
    first, second = serializer_for(demo).fields, serializer_for(demo).fields
    assert len(built) == 1 and list(first) == list(second) == list(real(RiskEntrySerializer()))
    for name in first:
        assert first[name] is not second[name] and first[name].parent is not second[name].parent, name
        assert first[name].source == second[name].source and first[name].label == second[name].label, name
    # What each serializer's __init__ set for its request is its own, and the class's field is untouched.
    links = [fields["requirements"].child_relation for fields in (first, second)]
    assert links[0] is not links[1] and links[1].parent is second["requirements"]
    assert links[0].queryset is not links[1].queryset
    declared = RiskEntrySerializer._declared_fields["requirements"].child_relation
    assert declared.queryset is not links[0].queryset and declared.parent is not first["requirements"]
    first["requirements"].child_relation.queryset = Requirement.objects.none()
    assert list(second["requirements"].child_relation.get_queryset()) == list(Requirement.objects.all())
    assert declared.queryset.query.where == Requirement.objects.all().query.where
