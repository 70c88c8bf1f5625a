"""What the feedback models themselves promise: who sees which rows, validation, one open pause."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from customers.tests.factories import ContactFactory, CustomerFactory
from feedback.models import FeedbackItem, Pause, WorkingWeek

from .factories import FeedbackItemFactory

pytestmark = pytest.mark.django_db


def test_staff_see_only_what_they_logged_or_are_assigned(staff, quality):
    mine = FeedbackItemFactory(logged_by=staff)
    assigned = FeedbackItemFactory(assignee=staff)
    other = FeedbackItemFactory()
    visible = set(FeedbackItem.objects.restrict(staff, "view"))
    assert visible == {mine, assigned}
    assert other.permits(staff, "view") is False and mine.permits(staff, "view") is True


@pytest.mark.parametrize("persona", ["quality", "management", "auditor", "superuser"])
def test_overseeing_roles_see_everything(persona, request):
    user = request.getfixturevalue(persona)
    items = {FeedbackItemFactory(), FeedbackItemFactory()}
    assert set(FeedbackItem.objects.restrict(user, "view")) == items


def test_only_the_assignee_works_an_item_unless_they_may_change_all(staff, quality):
    item = FeedbackItemFactory(assignee=staff)
    assert item.permits(staff, "work") is True
    assert FeedbackItemFactory().permits(staff, "work") is False
    assert FeedbackItemFactory().permits(quality, "work") is True


def test_a_contact_must_belong_to_the_customer():
    item = FeedbackItemFactory.build(
        customer=CustomerFactory(), contact=ContactFactory(), logged_by=None, category=None
    )
    with pytest.raises(ValidationError) as excinfo:
        item.clean()
    assert "contact" in excinfo.value.message_dict


def test_the_complainant_is_named_from_what_we_know():
    contact = ContactFactory(name="Ann Buyer", email="ann@example.com")
    with_contact = FeedbackItemFactory(customer=contact.customer, contact=contact)
    anonymous = FeedbackItemFactory(customer=None)
    assert (with_contact.complainant_name, with_contact.complainant_email) == ("Ann Buyer", "ann@example.com")
    assert anonymous.complainant_name == "Anonymous" and anonymous.complainant_email == ""


def test_an_item_has_at_most_one_open_pause():
    item = FeedbackItemFactory()
    Pause.objects.create(item=item, started_at=timezone.now())
    with pytest.raises(IntegrityError):
        Pause.objects.create(item=item, started_at=timezone.now())


def test_every_item_gets_its_own_unguessable_status_token():
    first, second = FeedbackItemFactory(), FeedbackItemFactory()
    assert first.public_token != second.public_token and len(first.public_token) >= 40


def test_the_working_week_needs_a_working_day():
    week = WorkingWeek(monday=False, tuesday=False, wednesday=False, thursday=False, friday=False)
    with pytest.raises(ValidationError):
        week.clean()
    assert WorkingWeek().weekday_numbers == frozenset({0, 1, 2, 3, 4})
