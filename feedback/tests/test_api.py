"""The feedback register's API: the same rules as the pages, answered in JSON."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import FeedbackItem, FeedbackTransition
from feedback.tests.factories import CategoryFactory, FeedbackItemFactory
from qms.audit.models import AuditEntry
from requirements.tests.factories import UserFactory

ITEMS = reverse("api:feedbackitem-list")
CATEGORIES = reverse("api:feedbackcategory-list")
pytestmark = pytest.mark.django_db
# The user's roles and permissions, the count, the page and two prefetches (requirements, history).
LIST_QUERY_BUDGET = 7


def item_url(item) -> str:
    return reverse("api:feedbackitem-detail", args=[item.pk])


def transition_url(item) -> str:
    return reverse("api:feedbackitem-transition", args=[item.pk])


@pytest.fixture
def register(staff):
    """Staff logged one complaint and is assigned another; a third is someone else's; one compliment."""
    other = UserFactory(username="olga")
    return {
        "logged": FeedbackItemFactory(reference="CMP-2026-00001", logged_by=staff, summary="Logged by staff"),
        "assigned": FeedbackItemFactory(reference="CMP-2026-00002", logged_by=other, assignee=staff),
        "other": FeedbackItemFactory(reference="CMP-2026-00003", logged_by=other),
        "compliment": FeedbackItemFactory(reference="CPL-2026-00001", kind="compliment", logged_by=other),
    }


def references(response) -> list[str]:
    return sorted(row["reference"] for row in response.json()["results"])


# Reading


def test_anonymous_gets_401(api_client_for, register):
    response = api_client_for(None).get(ITEMS)
    assert response.status_code == 401
    assert api_client_for(None).get(item_url(register["other"])).status_code == 401


@pytest.mark.parametrize("role", ["quality", "management", "auditor", "superuser"])
def test_overseeing_roles_list_everything(api_client_for, register, role, request):
    response = api_client_for(request.getfixturevalue(role)).get(ITEMS)
    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_list_filters_by_kind(api_client_for, quality, register):
    response = api_client_for(quality).get(ITEMS, {"kind": "compliment"})
    assert references(response) == ["CPL-2026-00001"]
    response = api_client_for(quality).get(ITEMS, {"kind": "complaint", "q": "logged by staff"})
    assert references(response) == ["CMP-2026-00001"]


def test_staff_list_only_what_they_logged_or_are_assigned(api_client_for, staff, register):
    response = api_client_for(staff).get(ITEMS)
    assert response.status_code == 200
    assert references(response) == ["CMP-2026-00001", "CMP-2026-00002"]


def test_staff_get_404_for_someone_elses_item(api_client_for, staff, register):
    response = api_client_for(staff).get(item_url(register["other"]))
    assert response.status_code == 404
    assert response.json()["detail"] == "No such record, or you may not see it."


def test_item_shows_due_times_pause_history_and_the_callers_transitions(api_client_for, quality, staff, register):
    item = register["assigned"]
    FeedbackTransition.objects.create(
        item=item, name="receive", from_status="received", to_status="received", at=item.received_at
    )
    body = api_client_for(quality).get(item_url(item)).json()
    assert body["reference"] == "CMP-2026-00002"
    assert body["assignee"] == "staff"
    assert body["paused"] is False
    assert {"acknowledge_due_at", "resolve_due_at", "acknowledge_warn_at", "resolve_warn_at"} <= set(body)
    assert body["transitions"] == [
        {
            "name": "receive",
            "from": "received",
            "to": "received",
            "actor_name": "",
            "at": body["transitions"][0]["at"],
            "comment": "",
        }
    ]
    assert body["allowed_transitions"] == ["acknowledge", "withdraw", "reject"]
    # The assignee may work it but not reject it (quality managers only); top management may do nothing.
    assert api_client_for(staff).get(item_url(item)).json()["allowed_transitions"] == ["acknowledge", "withdraw"]


def test_management_sees_no_transitions(api_client_for, management, register):
    assert api_client_for(management).get(item_url(register["other"])).json()["allowed_transitions"] == []


def test_list_queries_are_few_and_do_not_grow_with_the_page(api_client_for, quality, register):
    def fresh_client():
        # A fresh user object each time: permissions and roles are cached on it per request.
        return api_client_for(get_user_model().objects.get(pk=quality.pk))

    # Measured as a running process settles: the first list view reads the table estimates each process reads
    # once a minute (PostgreSQL).
    assert fresh_client().get(ITEMS).status_code == 200
    api = fresh_client()
    with CaptureQueriesContext(connection) as few:
        assert api.get(ITEMS).status_code == 200
    for _ in range(6):
        item = FeedbackItemFactory(assignee=UserFactory())
        FeedbackTransition.objects.create(
            item=item, name="receive", from_status="received", to_status="received", at=item.received_at
        )
    api = fresh_client()
    with CaptureQueriesContext(connection) as many:
        response = api.get(ITEMS)
    assert response.json()["count"] == 10
    assert len(few) == len(many) <= LIST_QUERY_BUDGET


def test_categories_are_listed_to_every_role(api_client_for, staff, auditor):
    CategoryFactory(name="Delivery")
    CategoryFactory(name="Billing", active=False)
    for user in (staff, auditor):
        response = api_client_for(user).get(CATEGORIES)
        assert response.status_code == 200
        assert [row["name"] for row in response.json()["results"]] == ["Billing", "Delivery"]
    assert [row["name"] for row in api_client_for(staff).get(CATEGORIES, {"active": "true"}).json()["results"]] == [
        "Delivery"
    ]
    assert api_client_for(None).get(CATEGORIES).status_code == 401


# Writing


def new_complaint(**overrides) -> dict:
    return {"summary": "Damaged pallet", "description": "Two boxes crushed.", "channel": "phone", **overrides}


def test_staff_log_a_complaint_through_the_service_with_one_audit_entry(api_client_for, staff):
    category = CategoryFactory(name="Delivery")
    response = api_client_for(staff).post(ITEMS, new_complaint(category=category.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    item = FeedbackItem.objects.get(pk=body["id"])
    assert body["reference"] == item.reference
    assert item.reference.startswith("CMP-")
    assert (body["status"], body["kind"], body["logged_by"], body["category_name"]) == (
        "received",
        "complaint",
        "staff",
        "Delivery",
    )
    assert body["acknowledge_due_at"] is not None
    assert [step["name"] for step in body["transitions"]] == ["receive"]
    [entry] = AuditEntry.objects.for_object(item)
    assert (entry.action, entry.actor_name, entry.source) == ("create", "Staff Tester", "api")


def test_logging_without_a_summary_is_400_naming_the_field(api_client_for, staff):
    response = api_client_for(staff).post(ITEMS, new_complaint(summary=""), format="json")
    assert response.status_code == 400
    assert "summary" in response.json()["errors"]


def test_assignee_changes_the_working_fields(api_client_for, staff, register):
    item = register["assigned"]
    response = api_client_for(staff).patch(
        item_url(item), {"severity": "high", "impact": "Line stopped"}, format="json"
    )
    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.severity, item.impact) == ("high", "Line stopped")


def test_an_unknown_severity_is_400_naming_the_field(api_client_for, quality, register):
    response = api_client_for(quality).patch(item_url(register["other"]), {"severity": "dire"}, format="json")
    assert response.status_code == 400
    assert "severity" in response.json()["errors"]


def test_staff_who_only_logged_it_may_not_change_it(api_client_for, staff, register):
    response = api_client_for(staff).patch(item_url(register["logged"]), {"severity": "high"}, format="json")
    assert response.status_code == 403


def test_quality_managers_may_not_delete(api_client_for, quality, register):
    assert api_client_for(quality).delete(item_url(register["other"])).status_code == 405
    assert FeedbackItem.objects.filter(pk=register["other"].pk).exists()


# Transitions


def test_quality_manager_acknowledges(api_client_for, quality, register):
    item = register["other"]
    response = api_client_for(quality).post(transition_url(item), {"transition": "acknowledge"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_at"] is not None
    [step] = body["transitions"]
    assert (step["name"], step["from"], step["to"], step["actor_name"]) == (
        "acknowledge",
        "received",
        "acknowledged",
        "Quality Tester",
    )
    assert "investigate" in body["allowed_transitions"]


def test_assignee_acknowledges(api_client_for, staff, register):
    response = api_client_for(staff).post(transition_url(register["assigned"]), {"transition": "acknowledge"})
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"


@pytest.mark.parametrize("name", ["investigate", "no_such_step"])
def test_a_transition_the_workflow_refuses_is_400_naming_transition(api_client_for, quality, register, name):
    response = api_client_for(quality).post(transition_url(register["other"]), {"transition": name}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()["errors"]
    register["other"].refresh_from_db()
    assert register["other"].status == "received"


def test_a_transition_without_its_required_comment_is_400_naming_comment(api_client_for, quality, register):
    response = api_client_for(quality).post(transition_url(register["other"]), {"transition": "reject"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"comment"}


def test_missing_transition_name_is_400(api_client_for, quality, register):
    response = api_client_for(quality).post(transition_url(register["other"]), {}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()["errors"]


def test_assignee_may_not_reject(api_client_for, staff, register):
    response = api_client_for(staff).post(
        transition_url(register["assigned"]), {"transition": "reject", "comment": "Not ours"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_staff_who_only_logged_it_may_not_acknowledge(api_client_for, staff, register):
    response = api_client_for(staff).post(transition_url(register["logged"]), {"transition": "acknowledge"})
    assert response.status_code == 403


def test_a_transition_on_an_item_out_of_scope_is_404(api_client_for, staff, register):
    response = api_client_for(staff).post(transition_url(register["other"]), {"transition": "acknowledge"})
    assert response.status_code == 404


def test_top_management_may_not_take_transitions(api_client_for, management, register):
    response = api_client_for(management).post(transition_url(register["other"]), {"transition": "acknowledge"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "url_name", "payload"),
    [
        ("post", "list", new_complaint()),
        ("patch", "detail", {"severity": "high"}),
        ("put", "detail", new_complaint()),
        ("delete", "detail", None),
        ("post", "transition", {"transition": "acknowledge"}),
    ],
)
def test_auditor_gets_403_on_every_unsafe_method(api_client_for, auditor, register, method, url_name, payload):
    item = register["other"]
    url = ITEMS if url_name == "list" else reverse(f"api:feedbackitem-{url_name}", args=[item.pk])
    response = getattr(api_client_for(auditor), method)(url, payload, format="json")
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.status, item.severity) == ("received", "")
    assert FeedbackItem.objects.count() == 4


# The schema


def test_schema_documents_the_feedback_endpoints(api_schema):
    paths = api_schema["paths"]
    assert set(paths["/api/v1/feedback/"]) == {"get", "post"}
    assert set(paths["/api/v1/feedback/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/feedback/{id}/transition/"]) == {"post"}
    assert set(paths["/api/v1/feedback-categories/"]) == {"get"}
    names = {parameter["name"] for parameter in paths["/api/v1/feedback/"]["get"]["parameters"]}
    assert {"q", "kind", "status", "open", "overdue", "customer", "category", "ordering", "page"} <= names
    item = api_schema["components"]["schemas"]["FeedbackItem"]
    assert all(item["properties"][name].get("readOnly") for name in ("allowed_transitions", "transitions", "paused"))


@pytest.fixture(scope="module")
def api_schema(django_db_blocker):
    import io

    import yaml
    from django.core.management import call_command

    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_a_search_with_more_matches_than_counted_still_pages_through_all(api_client_for, quality, settings):
    """A searched list is counted only up to SEARCH_COUNT_UP_TO (another filter up to LIST_COUNT_UP_TO): the
    count says that much, and the pages and their links still reach every match."""
    settings.LIST_COUNT_UP_TO, settings.SEARCH_COUNT_UP_TO = 100, 3
    for n in range(7):
        FeedbackItemFactory(summary=f"Scratched panel {n}")
    FeedbackItemFactory(summary="Fine")
    client = api_client_for(quality)
    body = client.get(ITEMS, {"q": "SCRATCHED", "page_size": 2}).json()
    assert body["count"] == 3
    seen = [row["reference"] for row in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [row["reference"] for row in body["results"]]
    assert len(seen) == len(set(seen)) == 7
    body = client.get(ITEMS, {"q": "SCRATCHED", "page_size": 50}).json()
    assert (body["count"], len(body["results"]), body["next"]) == (3, 7, None)
    assert client.get(ITEMS, {"status": "received", "page_size": 2}).json()["count"] == 8
