"""read_one: one record by one column in a plain statement, as the ORM would give it (converters included)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qms.core.models import Rollup
from qms.core.plain_read import read_one

pytestmark = pytest.mark.django_db


def test_a_record_reads_as_the_orm_gives_it_in_one_statement():
    at = timezone.now().replace(microsecond=123456)
    Rollup.objects.create(key="k", data={"rows": [{"name": "Late", "count": 3}], "total": 3.5}, computed_at=at)
    with CaptureQueriesContext(connection) as queries:
        read = read_one(Rollup, "key", "k")
    orm = Rollup.objects.get(key="k")
    assert len(queries) == 1
    for field in Rollup._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
    assert read.data["rows"][0]["count"] == 3 and read.computed_at == at and read.computed_at.tzinfo is not None
    assert read._state.db == "default" and not read._state.adding


def test_nothing_found_and_a_further_condition():
    Rollup.objects.create(key="k", data={}, computed_at=timezone.now())
    assert read_one(Rollup, "key", "other") is None
    newer = connection.ops.adapt_datetimefield_value(timezone.now() + dt.timedelta(minutes=1))
    older = connection.ops.adapt_datetimefield_value(timezone.now() - dt.timedelta(minutes=1))
    assert read_one(Rollup, "key", "k", also='"computed_at" > %s', params=(newer,)) is None
    assert read_one(Rollup, "key", "k", also='"computed_at" > %s', params=(older,)).key == "k"
