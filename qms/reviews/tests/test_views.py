"""The management-review pages: who may open and post each one, validation messages, query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from qms.actions.models import Action
from qms.reviews import services
from qms.reviews.models import Review, ReviewSignature

from .conftest import ANSWERS
from .factories import ReviewFactory

pytestmark = pytest.mark.django_db
PERSONAS = ["anonymous", "quality", "management", "staff", "auditor", "superuser"]


def user_for(request, persona):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


# The inputs count every complaint and answer: staff, who see only their own records, do not read reviews.
READERS = {"anonymous": 302, "quality": 200, "management": 200, "staff": 403, "auditor": 200, "superuser": 200}
PLANNERS = {"anonymous": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403, "superuser": 200}
# Only the chair (the management persona in the fixtures), not even a superuser.
CHAIR_ONLY = {"anonymous": 302, "quality": 403, "management": 200, "staff": 403, "auditor": 403, "superuser": 403}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "fixture", "expected"),
    [
        ("review_list", None, READERS),
        ("review_create", None, PLANNERS),
        ("review_detail", "planned", READERS),
        ("review_detail", "approved", READERS),
        ("review_update", "planned", PLANNERS),
        ("review_prepare", "planned", PLANNERS),
        ("review_hold", "prepared", PLANNERS),
        ("output_create", "held", PLANNERS),
        ("review_approve", "held", CHAIR_ONLY),
    ],
)
def test_who_may_open_each_page(request, client_for, quality, management, persona, name, fixture, expected):
    args = [request.getfixturevalue(fixture).pk] if fixture else []
    response = client_for(user_for(request, persona)).get(reverse(f"reviews:{name}", args=args))
    assert response.status_code == expected[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))


REVIEW_FORM = {
    "review_date": "2026-04-15",
    "period_start": "2026-01-01",
    "period_end": "2026-03-31",
    "other_attendees": "External auditor (observer)",
    "minutes": "",
}


@pytest.mark.parametrize("persona", ["management", "staff", "auditor"])
def test_only_quality_managers_post_a_new_review(request, client_for, management, persona):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("reviews:review_create"), {**REVIEW_FORM, "chair": management.pk}
    )
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_quality_manager_plans_a_review(client_for, quality, management):
    response = client_for(quality).post(
        reverse("reviews:review_create"), {**REVIEW_FORM, "chair": management.pk, "attendees": [quality.pk]}
    )
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert (review.reference, review.chair, review.status) == ("MR-2026-01", management, "planned")


def test_a_bad_period_is_refused_naming_the_field_and_keeping_the_input(client_for, quality, management):
    response = client_for(quality).post(
        reverse("reviews:review_create"),
        {**REVIEW_FORM, "chair": management.pk, "period_end": "2025-12-31", "other_attendees": "Kept text"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["period_end"] == ["The period must end on or after the day it starts."]
    assert "Kept text" in response.content.decode()
    assert not Review.objects.exists()


def test_a_missing_chair_is_named(client_for, quality):
    response = client_for(quality).post(reverse("reviews:review_create"), REVIEW_FORM)
    assert response.status_code == 400
    assert "chair" in response.context["form"].errors


def test_quality_manager_edits_a_review(client_for, quality, planned, management):
    response = client_for(quality).post(
        reverse("reviews:review_update", args=[planned.pk]),
        {**REVIEW_FORM, "chair": management.pk, "minutes": "Agenda sent."},
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.minutes == "Agenda sent."


def test_an_approved_review_cannot_be_edited(client_for, quality, approved, management):
    response = client_for(quality).post(
        reverse("reviews:review_update", args=[approved.pk]), {**REVIEW_FORM, "chair": management.pk, "minutes": "x"}
    )
    assert response.status_code == 302 and response["Location"] == approved.get_absolute_url()
    approved.refresh_from_db()
    assert approved.minutes == "All attended."


def test_prepare_asks_for_confirmation_then_compiles(client_for, quality, planned):
    page = client_for(quality).get(reverse("reviews:review_prepare", args=[planned.pk]))
    assert "Compile the inputs" in page.content.decode()
    planned.refresh_from_db()
    assert planned.status == "planned"
    response = client_for(quality).post(reverse("reviews:review_prepare", args=[planned.pk]))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == "inputs_ready" and planned.inputs["sections"]


@pytest.mark.parametrize("persona", ["management", "staff", "auditor"])
def test_only_quality_managers_prepare(request, client_for, planned, persona):
    response = client_for(request.getfixturevalue(persona)).post(reverse("reviews:review_prepare", args=[planned.pk]))
    assert response.status_code == 403
    planned.refresh_from_db()
    assert planned.status == "planned"


def test_preparing_a_held_review_is_refused_with_a_message(client_for, quality, held):
    response = client_for(quality).post(reverse("reviews:review_prepare", args=[held.pk]), follow=True)
    assert "The inputs are frozen once the review has been held." in response.content.decode()


def test_holding_without_the_answers_names_each_question(client_for, quality, prepared):
    response = client_for(quality).post(
        reverse("reviews:review_hold", args=[prepared.pk]),
        {"done_well": "Fewer complaints.", "minutes": "Kept minutes"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"to_improve", "switch_risk"}
    assert "Kept minutes" in response.content.decode()
    prepared.refresh_from_db()
    assert prepared.status == "inputs_ready"


def test_holding_on_unprepared_inputs_is_refused_on_the_form(client_for, quality, planned):
    response = client_for(quality).post(reverse("reviews:review_hold", args=[planned.pk]), ANSWERS)
    assert response.status_code == 400
    assert "Prepare the inputs before recording the review as held." in response.content.decode()


def test_quality_manager_records_the_review_as_held(client_for, quality, prepared):
    response = client_for(quality).post(reverse("reviews:review_hold", args=[prepared.pk]), ANSWERS)
    assert response.status_code == 302
    prepared.refresh_from_db()
    assert prepared.status == "held" and prepared.done_well == ANSWERS["done_well"]


def test_an_output_with_an_action_raises_it_from_the_review(client_for, quality, held, staff):
    response = client_for(quality).post(
        reverse("reviews:output_create", args=[held.pk]),
        {
            "kind": "improvement",
            "description": "Customers ask for tracking.",
            "decision": "Offer shipment tracking.",
            "action_title": "Offer shipment tracking",
            "action_owner": staff.pk,
            "action_due_date": "2026-07-31",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.source == held and action.owner == staff and action.due_date == dt.date(2026, 7, 31)
    detail = client_for(quality).get(held.get_absolute_url()).content.decode()
    assert action.reference in detail and "Offer shipment tracking." in detail


def test_an_output_action_without_a_due_date_is_refused_naming_it(client_for, quality, held, staff):
    response = client_for(quality).post(
        reverse("reviews:output_create", args=[held.pk]),
        {"kind": "resource", "description": "x", "decision": "Hire.", "action_owner": staff.pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["action_due_date"] == ["Give the action a due date."]
    assert not held.outputs.exists() and not Action.objects.exists()


def test_no_outputs_on_an_approved_review(client_for, quality, approved):
    response = client_for(quality).get(reverse("reviews:output_create", args=[approved.pk]))
    assert response.status_code == 403


def test_a_wrong_password_is_a_field_error_and_signs_nothing(client_for, management, held):
    response = client_for(management).post(reverse("reviews:review_approve", args=[held.pk]), {"password": "wrong"})
    assert response.status_code == 400
    assert response.context["form"].errors["password"] == ["That is not your password; the review was not signed."]
    assert not ReviewSignature.objects.exists()


def test_the_chair_approves_with_their_password(client_for, management, held):
    response = client_for(management).post(
        reverse("reviews:review_approve", args=[held.pk]), {"password": "pw-management"}, follow=True
    )
    page = response.content.decode()
    assert "was approved and signed" in page
    assert "Signature valid" in page
    signature = ReviewSignature.objects.get()
    assert signature.content_hash in page and signature.meaning in page


@pytest.mark.parametrize("persona", ["quality", "staff", "auditor"])
def test_no_one_else_posts_an_approval(request, client_for, held, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(
        reverse("reviews:review_approve", args=[held.pk]), {"password": f"pw-{user.username}"}
    )
    assert response.status_code == 403
    assert not ReviewSignature.objects.exists()


def test_a_changed_approved_review_says_so(client_for, auditor, approved):
    Review.objects.filter(pk=approved.pk).update(done_well="Rewritten later.")
    page = client_for(auditor).get(approved.get_absolute_url()).content.decode()
    assert "Content changed since approval" in page
    assert "Signature valid" not in page


def test_the_detail_renders_the_snapshot_section_by_clause(client_for, auditor, prepared):
    page = client_for(auditor).get(prepared.get_absolute_url()).content.decode()
    for heading in (
        "9.3.2 a Status of actions from previous management reviews",
        "9.3.2 b Changes in external and internal issues",
        "9.3.2 c Performance and effectiveness of the QMS",
        "9.3.2 e Effectiveness of actions taken to address risks and opportunities",
        "9.3.2 f Opportunities for improvement",
        "Customer satisfaction and feedback trends",
    ):
        assert heading in page
    assert "Edit" not in page.split("<h1")[1].split("</div>")[0]  # auditors get no buttons


def test_an_empty_list_says_what_to_do(client_for, quality, management):
    assert (
        "Plan the first management review" in client_for(quality).get(reverse("reviews:review_list")).content.decode()
    )
    assert (
        "A quality manager plans management reviews"
        in client_for(management).get(reverse("reviews:review_list")).content.decode()
    )


def test_the_list_searches_and_filters(client_for, quality):
    ReviewFactory(reference="MR-2026-01", status="approved")
    ReviewFactory(reference="MR-2026-02")
    page = client_for(quality).get(reverse("reviews:review_list"), {"q": "2026-02"}).content.decode()
    assert "MR-2026-02" in page and "MR-2026-01" not in page
    page = client_for(quality).get(reverse("reviews:review_list"), {"status": "approved"}).content.decode()
    assert "MR-2026-01" in page and "MR-2026-02" not in page


def test_the_list_exports_csv_for_auditors(client_for, auditor):
    ReviewFactory(reference="MR-2026-01")
    response = client_for(auditor).get(reverse("reviews:review_list"), {"export": "csv"})
    assert response.status_code == 200
    assert b"MR-2026-01" in b"".join(response.streaming_content if response.streaming else [response.content])


def test_the_list_keeps_to_its_query_budget(client_for, quality, django_assert_max_num_queries):
    for _ in range(30):
        ReviewFactory()
    client = client_for(quality)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reviews:review_list"))
    assert response.status_code == 200


def test_the_detail_keeps_to_its_query_budget(client_for, quality, held, staff, django_assert_max_num_queries):
    for number in range(10):
        services.output_add(
            actor=quality,
            review=held,
            kind="improvement",
            description=f"Found {number}",
            decision=f"Decided {number}",
            action_owner=staff,
            action_due_date=dt.date(2026, 7, 1),
        )
    client = client_for(quality)
    with django_assert_max_num_queries(20):
        response = client.get(held.get_absolute_url())
    assert response.status_code == 200
    assert "Decided 9" in response.content.decode()


def test_the_admin_shows_reviews_read_only(client_for, superuser, approved):
    client = client_for(superuser)
    assert client.get("/admin/reviews/review/").status_code == 200
    assert client.get(f"/admin/reviews/review/{approved.pk}/change/").status_code == 200
    assert client.get("/admin/reviews/review/add/").status_code == 403
    assert client.post(f"/admin/reviews/review/{approved.pk}/delete/").status_code == 403
