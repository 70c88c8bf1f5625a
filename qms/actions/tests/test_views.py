import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from qms.actions.models import Action
from qms.actions.tests.conftest import action_entries
from qms.actions.tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("actions:action_list")
MINE_URL = reverse("actions:my_actions")
CREATE_URL = reverse("actions:action_create")
ROLES = ["quality", "management", "staff", "auditor", "admin"]
LIST_QUERY_BUDGET = 10


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def transition_url(action) -> str:
    return reverse("actions:action_transition", args=[action.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Who may open what


@pytest.mark.parametrize("url_name", ["actions:action_list", "actions:my_actions"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_lists(client_for, user_in_role, role, url_name):
    assert client_for(user_in_role(role)).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_an_action(client_for, user_in_role, role):
    action = ActionFactory()
    assert client_for(user_in_role(role)).get(action.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "url",
    [LIST_URL, MINE_URL, CREATE_URL, "/actions/1/", "/actions/1/edit/", "/actions/1/transition/"],
)
def test_anonymous_is_sent_to_sign_in(client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("role", "status"), [("quality", 200), ("admin", 200), ("management", 403), ("staff", 403), ("auditor", 403)]
)
def test_only_quality_managers_open_the_create_and_edit_forms(client_for, user_in_role, role, status):
    action = ActionFactory()
    client = client_for(user_in_role(role))
    assert client.get(CREATE_URL).status_code == status
    assert client.get(reverse("actions:action_update", args=[action.pk])).status_code == status


@pytest.mark.parametrize("role", ["quality", "staff", "auditor", "management"])
def test_transition_answers_405_to_a_get(client_for, user_in_role, role):
    action = ActionFactory()
    assert client_for(user_in_role(role)).get(transition_url(action)).status_code == 405


# The list


def test_list_shows_reference_source_and_overdue_in_words(client_for, auditor):
    source = ActionFactory(title="Root")
    action = ActionFactory(title="Reprint labels", source=source, due_date=timezone.localdate() - dt.timedelta(1))
    page = client_for(auditor).get(LIST_URL, {"q": "Reprint"}).content.decode()
    assert action.reference in page
    assert str(source) in page
    assert "Overdue" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "preventive"}, ["Train the team"]),
        ({"status": "done"}, ["Reprint labels"]),
        ({"overdue": "true"}, ["Call the customer"]),
        ({"q": "ACME"}, ["Reprint labels"]),
        ({"q": "team"}, ["Train the team"]),
    ],
)
def test_list_filters(client_for, quality, query, expected):
    ActionFactory(title="Train the team", kind="preventive")
    ActionFactory(title="Reprint labels", status="done", source_label="Complaint from ACME")
    ActionFactory(title="Call the customer", due_date=timezone.localdate() - dt.timedelta(days=3))
    response = client_for(quality).get(LIST_URL, query)
    assert [action.title for action in response.context["object_list"]] == expected


def test_list_sorts_by_a_column(client_for, quality):
    for title in ("b", "c", "a"):
        ActionFactory(title=title)
    response = client_for(quality).get(LIST_URL, {"sort": "-title"})
    assert [action.title for action in response.context["object_list"]] == ["c", "b", "a"]


def test_empty_list_says_what_to_do(client_for, quality):
    page = client_for(quality).get(LIST_URL).content.decode()
    assert "Nothing here yet." in page
    assert "Actions are raised from a requirement evaluated as not met" in page


def test_export_is_the_filtered_list(client_for, auditor):
    ActionFactory(title="Train the team", kind="preventive")
    ActionFactory(title="Reprint labels")
    response = client_for(auditor).get(LIST_URL, {"kind": "preventive", "export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("reference,title,kind,status,owner,due_date")
    assert "Train the team" in body
    assert "Reprint labels" not in body


def test_excel_export(client_for, quality):
    ActionFactory()
    response = client_for(quality).get(LIST_URL, {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_staff_may_not_export(client_for, staff):
    assert client_for(staff).get(LIST_URL, {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(client_for, quality, django_assert_max_num_queries, rows):
    for _ in range(rows):
        ActionFactory(source=ActionFactory(owner=UserFactory()))
    client = client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(LIST_URL)
    assert len(response.context["object_list"]) == min(rows * 2, 25)


# My actions


def test_my_actions_shows_only_mine_overdue_first(client_for, staff):
    later = ActionFactory(owner=staff, title="Later", due_date=timezone.localdate() + dt.timedelta(days=5))
    overdue = ActionFactory(owner=staff, title="Late", due_date=timezone.localdate() - dt.timedelta(days=1))
    ActionFactory(title="Someone else's")
    response = client_for(staff).get(MINE_URL)
    assert response.context["rows"] == [overdue, later]
    page = response.content.decode()
    assert "1 overdue" in page
    assert "Someone else" not in page
    assert "Mark done" in page


@pytest.mark.parametrize("rows", [2, 20])
def test_my_actions_query_count_does_not_grow_with_rows(client_for, staff, django_assert_max_num_queries, rows):
    for _ in range(rows):
        ActionFactory(owner=staff, source=ActionFactory())
    client = client_for(staff)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(MINE_URL)
    assert len(response.context["rows"]) == rows


def test_my_actions_empty_says_so(client_for, staff):
    assert "Nothing to do" in client_for(staff).get(MINE_URL).content.decode()


def test_staff_starts_then_marks_done_their_action_from_my_actions(client_for, staff):
    action = ActionFactory(owner=staff)
    client = client_for(staff)
    response = client.post(transition_url(action), {"transition": "start", "next": MINE_URL})
    assert (response.status_code, response.url) == (302, MINE_URL)
    response = client.post(
        transition_url(action),
        {"transition": "complete", "note": "Reprinted 40 labels.", "next": MINE_URL},
        follow=True,
    )
    action.refresh_from_db()
    assert (action.status, action.completion_note) == ("done", "Reprinted 40 labels.")
    assert f"{action.reference} is now done." in messages_of(response)


def test_marking_done_without_a_note_names_the_field_and_changes_nothing(client_for, staff):
    action = ActionFactory(owner=staff)
    entries = action_entries(action)
    response = client_for(staff).post(
        transition_url(action), {"transition": "complete", "note": "", "next": MINE_URL}, follow=True
    )
    assert any("What was done: Say what was done." in text for text in messages_of(response))
    action.refresh_from_db()
    assert action.status == "open"
    assert action_entries(action) == entries


def test_a_refused_transition_names_the_status(client_for, staff):
    action = ActionFactory(owner=staff, status="done")
    response = client_for(staff).post(transition_url(action), {"transition": "start"}, follow=True)
    assert any("Status: An action that is done cannot take" in text for text in messages_of(response))


def test_staff_may_not_work_someone_elses_action(client_for, staff):
    action = ActionFactory()
    assert client_for(staff).post(transition_url(action), {"transition": "start"}).status_code == 403
    action.refresh_from_db()
    assert action.status == "open"


@pytest.mark.parametrize("role", ["auditor", "management"])
def test_readers_get_403_on_transitions(client_for, user_in_role, role):
    user = user_in_role(role)
    action = ActionFactory(owner=user)
    assert client_for(user).post(transition_url(action), {"transition": "start"}).status_code == 403


def test_anonymous_post_is_sent_to_sign_in(client_for):
    action = ActionFactory()
    response = client_for(None).post(transition_url(action), {"transition": "start"})
    assert response.status_code == 302
    assert Action.objects.get().status == "open"


def test_next_outside_the_portal_is_ignored(client_for, staff):
    action = ActionFactory(owner=staff)
    response = client_for(staff).post(transition_url(action), {"transition": "start", "next": "https://evil.example/"})
    assert response.url == action.get_absolute_url()


# Detail, check of effectiveness, create, edit


def test_detail_offers_the_effectiveness_check_to_quality_managers_only(client_for, quality, staff):
    action = ActionFactory(owner=staff, status="done", check_criteria="No repeat for 3 months.")
    quality_page = client_for(quality).get(action.get_absolute_url()).content.decode()
    assert "Effectiveness check" in quality_page
    assert "No repeat for 3 months." in quality_page
    staff_page = client_for(staff).get(action.get_absolute_url()).content.decode()
    assert 'value="verify_effective"' not in staff_page


def test_owner_sees_start_and_mark_done_on_the_detail(client_for, staff):
    action = ActionFactory(owner=staff)
    response = client_for(staff).get(action.get_absolute_url())
    assert [transition.name for transition in response.context["transitions"]] == ["start", "complete"]


def test_quality_manager_verifies_effective_from_the_detail(client_for, quality):
    action = ActionFactory(status="done")
    response = client_for(quality).post(
        transition_url(action), {"transition": "verify_effective", "note": "No repeat since March."}
    )
    assert response.url == action.get_absolute_url()
    action.refresh_from_db()
    assert (action.status, action.checked_by, action.check_notes) == (
        "verified_effective",
        quality,
        "No repeat since March.",
    )


def test_detail_shows_history(client_for, quality):
    action = ActionFactory()
    client = client_for(quality)
    url = client.get(action.get_absolute_url()).context["history_url"]
    assert url == f"/audit/history/actions.action/{action.pk}/"
    assert [entry.action for entry in client.get(url, headers={"HX-Request": "true"}).context["history"]] == ["create"]


def test_detail_links_to_the_source_the_user_may_see(client_for, quality):
    source = ActionFactory(title="Origin")
    action = ActionFactory(source=source)
    response = client_for(quality).get(action.get_absolute_url())
    assert response.context["source_url"] == source.get_absolute_url()


def test_quality_manager_creates_an_action_with_one_audit_entry(client_for, quality, staff):
    response = client_for(quality).post(
        CREATE_URL,
        {"kind": "improvement", "title": "Add a survey question", "owner": staff.pk, "due_date": days(20)},
    )
    action = Action.objects.get()
    assert response.url == action.get_absolute_url()
    assert (action.owner, action.created_by, action.status) == (staff, quality, "open")
    assert action_entries(action) == 1


def test_create_from_a_source_prefills_it(client_for, quality, staff):
    source = ActionFactory(title="Origin")
    url = f"{CREATE_URL}?source=actions.action:{source.pk}"
    client = client_for(quality)
    page = client.get(url)
    assert page.context["title"] == f"New action from {source}"
    client.post(url, {"kind": "corrective", "title": "Follow-up", "owner": staff.pk, "due_date": days(5)})
    assert Action.objects.get(title="Follow-up").source == source


@pytest.mark.parametrize("ref", ["actions.action:999999", "auth.group:{group}", "rubbish"])
def test_create_from_a_source_the_user_may_not_see_is_not_found(client_for, quality, ref):
    ref = ref.format(group=Group.objects.first().pk)
    assert client_for(quality).get(f"{CREATE_URL}?source={ref}").status_code == 404


def test_invalid_create_answers_400_naming_the_field(client_for, quality, staff):
    response = client_for(quality).post(CREATE_URL, {"kind": "corrective", "title": "", "owner": staff.pk})
    assert response.status_code == 400
    assert {"title", "due_date"} <= set(response.context["form"].errors)
    assert not Action.objects.exists()


def test_quality_manager_edits_an_action(client_for, quality, staff):
    action = ActionFactory()
    response = client_for(quality).post(
        reverse("actions:action_update", args=[action.pk]),
        {"kind": "preventive", "title": "Renamed", "owner": staff.pk, "due_date": days(9)},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.kind, action.owner) == ("Renamed", "preventive", staff)


@pytest.mark.parametrize("role", ["staff", "auditor", "management"])
def test_others_get_403_on_create_and_edit_posts_and_nothing_changes(client_for, user_in_role, role):
    action = ActionFactory(title="Kept")
    client = client_for(user_in_role(role))
    assert client.post(CREATE_URL, {"title": "x"}).status_code == 403
    assert client.post(reverse("actions:action_update", args=[action.pk]), {"title": "x"}).status_code == 403
    assert list(Action.objects.values_list("title", flat=True)) == ["Kept"]


# Home page


def test_home_shows_my_open_actions_and_how_many_are_overdue(client_for, staff):
    ActionFactory(owner=staff, due_date=timezone.localdate() - dt.timedelta(days=1))
    ActionFactory(owner=staff)
    ActionFactory(owner=staff, status="done")
    figures = client_for(staff).get("/").context["sections"]["figures"]
    assert {"label": "My open actions (1 overdue)", "value": 2, "url": MINE_URL} in figures


def test_home_has_no_my_actions_figure_for_readers(client_for, management):
    figures = client_for(management).get("/").context["sections"]["figures"]
    assert not [figure for figure in figures if figure["label"].startswith("My open actions")]


# The statuses each role gets on a GET of every actions URL (as tests/test_access.py will list them)

SIGNED_IN = {"anon": 302, "quality": 200, "management": 200, "staff": 200, "auditor": 200, "admin": 200}
REGISTER_WRITE = {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200}
POST_ONLY_PAGE = {"anon": 302, "quality": 405, "management": 405, "staff": 405, "auditor": 405, "admin": 405}
API_READ = {"anon": 401, "quality": 200, "management": 200, "staff": 200, "auditor": 200, "admin": 200}
POST_ONLY_API = {"anon": 401, "quality": 405, "management": 405, "staff": 405, "auditor": 405, "admin": 405}
GET_RULES = {
    "actions:action_list": SIGNED_IN,
    "actions:my_actions": SIGNED_IN,
    "actions:action_detail": SIGNED_IN,
    "actions:action_create": REGISTER_WRITE,
    "actions:action_update": REGISTER_WRITE,
    "actions:action_transition": POST_ONLY_PAGE,
    "api:action-list": API_READ,
    "api:action-detail": API_READ,
    "api:action-transition": POST_ONLY_API,
}


@pytest.mark.parametrize("url_name", sorted(GET_RULES))
def test_get_status_per_role(client_for, personas, url_name):
    action = ActionFactory(owner=personas["staff"])
    takes_pk = not url_name.endswith(("_list", "my_actions", "_create", "-list"))
    url = reverse(url_name, args=[action.pk] if takes_pk else [])
    for role, expected in GET_RULES[url_name].items():
        client = client_for(personas.get(role))
        assert (role, client.get(url).status_code) == (role, expected)
