import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qms.actions.models import Action
from qms.actions.tests.conftest import action_entries
from qms.actions.tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("api:action-list")
ROLES = ["quality", "management", "staff", "auditor", "admin"]
IN_A_WEEK = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
LIST_QUERY_BUDGET = 8


def detail(action) -> str:
    return reverse("api:action-detail", args=[action.pk])


def transition(action) -> str:
    return reverse("api:action-transition", args=[action.pk])


def payload(**overrides) -> dict:
    return {"kind": "corrective", "title": "Reprint labels", "owner": "staff", "due_date": IN_A_WEEK, **overrides}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_actions(api_client_for, user_in_role, role):
    action = ActionFactory()
    client = api_client_for(user_in_role(role))
    assert client.get(LIST).status_code == 200
    assert client.get(detail(action)).json()["reference"] == action.reference


def test_anonymous_gets_401(api_client_for):
    assert api_client_for(None).get(LIST).status_code == 401


def test_the_source_is_type_id_and_label(api_client_for, auditor):
    source = ActionFactory(title="Origin")
    action = ActionFactory(source=source)
    body = api_client_for(auditor).get(detail(action)).json()
    assert body["source"] == {"type": "actions.action", "id": source.pk, "label": str(source)}
    assert api_client_for(auditor).get(detail(source)).json()["source"] is None


def test_list_filters_like_the_page(api_client_for, auditor):
    ActionFactory(title="Train the team", kind="preventive")
    ActionFactory(title="Reprint labels")
    body = api_client_for(auditor).get(LIST, {"kind": "preventive"}).json()
    assert [row["title"] for row in body["results"]] == ["Train the team"]


def test_list_filters_by_source(api_client_for, auditor):
    source = ActionFactory()
    raised = ActionFactory(source=source)
    body = api_client_for(auditor).get(LIST, {"source": f"actions.action:{source.pk}"}).json()
    assert [row["id"] for row in body["results"]] == [raised.pk]


def test_quality_manager_creates_an_action_from_a_source(api_client_for, quality, staff):
    source = ActionFactory(title="Origin")
    response = api_client_for(quality).post(LIST, payload(source_ref=f"actions.action:{source.pk}"), format="json")
    assert response.status_code == 201, response.json()
    action = Action.objects.get(pk=response.json()["id"])
    assert (action.source, action.owner, action.created_by, action.status) == (source, staff, quality, "open")
    assert action_entries(action) == 1


def test_create_with_an_unknown_source_is_refused_naming_it(api_client_for, quality, staff):
    response = api_client_for(quality).post(LIST, payload(source_ref="actions.action:999999"), format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid input. source:")


def test_create_without_a_title_names_it(api_client_for, quality, staff):
    response = api_client_for(quality).post(LIST, payload(title=""), format="json")
    assert response.status_code == 400
    assert "title" in response.json()["errors"]


@pytest.mark.parametrize("role", ["staff", "management", "auditor"])
def test_only_quality_managers_create_or_edit(api_client_for, user_in_role, role, staff):
    action = ActionFactory(title="Kept")
    client = api_client_for(user_in_role(role))
    assert client.post(LIST, payload(), format="json").status_code == 403
    assert client.patch(detail(action), {"title": "x"}, format="json").status_code == 403
    assert Action.objects.get().title == "Kept"


def test_quality_manager_edits_but_not_the_status(api_client_for, quality):
    action = ActionFactory()
    client = api_client_for(quality)
    response = client.patch(detail(action), {"title": "Sharper", "status": "done"}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["status"]) == ("Sharper", "open")


def test_actions_are_never_deleted(api_client_for, quality):
    action = ActionFactory()
    assert api_client_for(quality).delete(detail(action)).status_code == 405


def test_owner_starts_and_completes_through_transition(api_client_for, staff):
    action = ActionFactory(owner=staff)
    client = api_client_for(staff)
    assert client.post(transition(action), {"transition": "start"}, format="json").json()["status"] == "in_progress"
    response = client.post(transition(action), {"transition": "complete", "note": "Reprinted."}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["completion_note"]) == ("done", "Reprinted.")


def test_completing_without_a_note_is_refused_naming_it(api_client_for, staff):
    action = ActionFactory(owner=staff)
    response = api_client_for(staff).post(transition(action), {"transition": "complete"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input. note: Say what was done."


def test_a_transition_not_allowed_from_the_status_names_status(api_client_for, quality):
    action = ActionFactory(status="cancelled")
    response = api_client_for(quality).post(transition(action), {"transition": "start"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid input. status: An action that is cancelled")


def test_an_unknown_transition_is_refused_by_shape(api_client_for, quality):
    response = api_client_for(quality).post(transition(ActionFactory()), {"transition": "close"}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()["errors"]


def test_staff_may_not_work_someone_elses_action(api_client_for, staff):
    action = ActionFactory(owner=UserFactory())
    response = api_client_for(staff).post(transition(action), {"transition": "start"}, format="json")
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "open"


@pytest.mark.parametrize("name", ["verify_effective", "cancel", "reopen"])
def test_staff_may_not_check_cancel_or_reopen(api_client_for, staff, name):
    action = ActionFactory(owner=staff, status="done")
    response = api_client_for(staff).post(transition(action), {"transition": name, "note": "x"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["auditor", "management"])
def test_readers_get_403_on_transition(api_client_for, user_in_role, role):
    user = user_in_role(role)
    action = ActionFactory(owner=user)
    assert api_client_for(user).post(transition(action), {"transition": "start"}, format="json").status_code == 403


def test_anonymous_gets_401_on_transition(api_client_for):
    assert api_client_for(None).post(transition(ActionFactory()), {"transition": "start"}).status_code == 401


def test_quality_manager_verifies_not_effective(api_client_for, quality):
    action = ActionFactory(status="done")
    response = api_client_for(quality).post(
        transition(action), {"transition": "verify_not_effective", "note": "Repeat in May."}, format="json"
    )
    body = response.json()
    assert (body["status"], body["checked_by"], body["check_notes"]) == ("not_effective", "quality", "Repeat in May.")


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(api_client_for, quality, django_assert_max_num_queries, rows):
    for _ in range(rows):
        ActionFactory(source=ActionFactory())
    client = api_client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        body = client.get(LIST).json()
    assert body["count"] == rows * 2
