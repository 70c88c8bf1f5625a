"""Reads of the feedback register: restricted to what each role may see, due annotations, targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from feedback import selectors, services
from feedback.models import FeedbackItem, SlaTarget

pytestmark = pytest.mark.django_db


def _log(actor, **data):
    values = {"kind": "complaint", "channel": "phone", "summary": "Late", "description": "Late."}
    values.update(data)
    return services.feedback_log(actor=actor, data=values)


@pytest.mark.parametrize("role", ["quality", "management", "auditor", "admin"])
def test_overseeing_roles_see_every_item(role, personas):
    items = {_log(personas["quality"]).pk, _log(personas["staff"]).pk}
    assert set(selectors.feedback_list(user=personas[role]).values_list("pk", flat=True)) == items


def test_staff_see_only_what_they_logged_or_are_assigned(staff, quality):
    mine = _log(staff)
    assigned = _log(quality, assignee=staff)
    _log(quality)
    assert set(selectors.feedback_list(user=staff).values_list("pk", flat=True)) == {mine.pk, assigned.pk}
    assert set(selectors.feedback_detail(user=staff).values_list("pk", flat=True)) == {mine.pk, assigned.pk}


def test_anonymous_sees_nothing(quality):
    from django.contrib.auth.models import AnonymousUser

    _log(quality)
    assert not selectors.feedback_list(user=AnonymousUser()).exists()


def test_due_annotation_follows_the_state(quality):
    received = _log(quality, summary="Received")
    working = _log(quality, summary="Working", severity="low")
    services.feedback_transition(actor=quality, item=working, name="acknowledge")
    compliment = _log(quality, kind="compliment", summary="Thanks")
    rows = {row.pk: row for row in selectors.feedback_list(user=quality)}
    working.refresh_from_db()
    assert rows[received.pk].next_due_at == received.acknowledge_due_at
    assert rows[working.pk].next_due_at == working.resolve_due_at
    assert rows[compliment.pk].next_due_at is None
    assert {row.due_label for row in rows.values()} == {""}


def test_overdue_and_paused_labels(quality):
    late = _log(quality, received_at=timezone.now() - dt.timedelta(days=40))
    paused = _log(quality, severity="low")
    for name, extra in (("acknowledge", {}), ("investigate", {}), ("await_customer", {"comment": "Waiting"})):
        services.feedback_transition(actor=quality, item=paused, name=name, **extra)
    labels = dict(selectors.feedback_list(user=quality).values_list("pk", "due_label"))
    assert labels == {late.pk: selectors.OVERDUE, paused.pk: selectors.PAUSED}


def test_time_targets_say_overdue_by_and_met(quality):
    item = _log(quality, received_at=timezone.now() - dt.timedelta(days=40))
    acknowledge, resolve = selectors.time_targets(item)
    assert acknowledge.overdue and acknowledge.text.startswith("overdue by")
    item = services.feedback_transition(actor=quality, item=item, name="acknowledge")
    acknowledge, _ = selectors.time_targets(item)
    assert acknowledge.text == "missed" and not acknowledge.overdue


def test_time_targets_of_a_fresh_complaint_say_time_left(quality):
    acknowledge, resolve = selectors.time_targets(_log(quality))
    assert acknowledge.text.endswith("left") and resolve.text.endswith("left")


def test_no_time_targets_for_a_compliment(quality):
    assert selectors.time_targets(_log(quality, kind="compliment")) == []


def test_paused_resolution_clock_is_stopped(quality):
    item = _log(quality, severity="low")
    for name, extra in (("acknowledge", {}), ("investigate", {}), ("await_customer", {"comment": "Waiting"})):
        item = services.feedback_transition(actor=quality, item=item, name=name, **extra)
    _, resolve = selectors.time_targets(item)
    assert resolve.due_at is None and resolve.text == "clock stopped"


def test_target_rows_mark_defaults(quality):
    SlaTarget.objects.create(severity="high", acknowledge_days=Decimal("0.5"), resolve_days=Decimal("3"))
    rows = {row["severity"]: row for row in selectors.target_rows()}
    assert rows["high"]["is_default"] is False and rows["high"]["resolve_days"] == Decimal("3")
    assert rows["low"]["is_default"] is True
    assert rows["low"]["resolve_days"] == services.DEFAULT_TARGETS["low"][1]


def test_my_open_and_overdue_complaints(quality, staff):
    _log(quality, assignee=staff, received_at=timezone.now() - dt.timedelta(days=40))
    _log(quality, assignee=staff)
    closed = _log(quality, kind="compliment", assignee=staff)
    services.feedback_transition(actor=quality, item=closed, name="close")
    assert selectors.my_open_complaints(staff).count() == 2
    assert selectors.my_overdue_complaints(staff).count() == 1


def test_attachment_for_checks_the_item_scope(quality, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = _log(quality)
    attachment = services.feedback_attach(
        actor=quality, item=item, uploads=[SimpleUploadedFile("a.txt", b"x", content_type="text/plain")]
    )[0]
    assert selectors.attachment_for(user=quality, item_pk=item.pk, attachment_pk=attachment.pk).exists()
    assert not selectors.attachment_for(user=staff, item_pk=item.pk, attachment_pk=attachment.pk).exists()
    assert not selectors.attachment_for(user=quality, item_pk=item.pk + 1, attachment_pk=attachment.pk).exists()
    assert FeedbackItem.objects.count() == 1


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
