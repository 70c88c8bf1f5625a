"""The records a list's filters offer every user alike (people, categories) are kept by the process: read once,
forgotten when one is saved or deleted here, read again when the time runs out, never trusted to validate."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import Category
from qms.core import kept_choices
from risks.models import RiskCategory

pytestmark = pytest.mark.django_db

RISKS = reverse("risks:entry_list")


def _categories(html: str) -> list[str]:
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no category select"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))[1:]


def _category_reads(queries) -> int:
    return sum('FROM "risks_riskcategory" ORDER BY' in query["sql"] for query in queries)


@pytest.fixture
def signed_in(client, quality, settings):
    settings.FILTER_CHOICES_SECONDS = 60
    client.force_login(quality)
    return client


def test_categories_are_read_once_and_a_saved_or_deleted_one_is_seen_at_once(signed_in):
    RiskCategory.objects.create(name="Supply")
    with CaptureQueriesContext(connection) as first:
        assert _categories(signed_in.get(RISKS).content.decode()) == ["Supply"]
    with CaptureQueriesContext(connection) as second:
        signed_in.get(RISKS)
    assert (_category_reads(first), _category_reads(second)) == (1, 0)
    legal = RiskCategory.objects.create(name="Legal")
    assert _categories(signed_in.get(RISKS).content.decode()) == ["Legal", "Supply"]
    legal.delete()
    assert _categories(signed_in.get(RISKS).content.decode()) == ["Supply"]


def test_a_change_made_elsewhere_shows_when_the_time_runs_out_and_validation_reads_the_database(signed_in, monkeypatch):
    supply = RiskCategory.objects.create(name="Supply")
    signed_in.get(RISKS)
    RiskCategory.objects.filter(pk=supply.pk).update(name="Supply chain")  # no signal: as another process
    assert _categories(signed_in.get(RISKS).content.decode()) == ["Supply"]
    with connection.cursor() as cursor:  # gone, as deleted by another process: still kept here
        cursor.execute(f"DELETE FROM {RiskCategory._meta.db_table} WHERE id = %s", [supply.pk])
    html = signed_in.get(RISKS, {"category": supply.pk}).content.decode()
    assert _categories(html) == ["Supply"] and "This filter is not applied" in html
    now = kept_choices.time.monotonic()
    monkeypatch.setattr(kept_choices.time, "monotonic", lambda: now + 61)
    assert _categories(signed_in.get(RISKS).content.decode()) == []


def test_each_model_keeps_its_own_choices(signed_in):
    RiskCategory.objects.create(name="Supply")
    Category.objects.create(name="Delivery")
    signed_in.get(RISKS)
    feedback = signed_in.get(reverse("feedback:item_list")).content.decode()
    assert "Delivery" in _categories(feedback) and "Supply" not in _categories(feedback)
    assert _categories(signed_in.get(RISKS).content.decode()) == ["Supply"]


@pytest.mark.django_db(transaction=True)
def test_a_record_saved_in_a_transaction_is_forgotten_again_when_it_commits(settings):
    settings.FILTER_CHOICES_SECONDS = 60

    def read():
        return [(obj.pk, obj.name) for obj in RiskCategory.objects.order_by("name")]

    with transaction.atomic():
        RiskCategory.objects.create(name="Supply")
        kept_choices.kept_choices(RiskCategory, read)  # read (and kept) before the commit
        kept_choices._KEPT[RiskCategory._meta.label] = (kept_choices.time.monotonic(), ())  # as another reader
    assert [name for _pk, name in kept_choices.kept_choices(RiskCategory, read)] == ["Supply"]
