"""Pages of the feedback register: the list and its chart, logging, a complaint's workflow, attachments,
categories and time targets, for each role."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Attachment, Category, FeedbackItem, FeedbackTransition, Holiday, SlaTarget, WorkingWeek
from feedback.tests.factories import CategoryFactory, FeedbackItemFactory
from qms.audit.models import AuditEntry
from qms.core.tests.upload_samples import HTML, sample_upload

pytestmark = pytest.mark.django_db

LIST_URL = reverse("feedback:item_list")
CREATE_URL = reverse("feedback:item_create")
SLA_URL = reverse("feedback:sla_settings")
LIST_QUERY_BUDGET = 12
DETAIL_QUERY_BUDGET = 14
ROLES = ["quality", "management", "staff", "auditor", "admin"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _log(actor, **data):
    values = {"kind": "complaint", "channel": "phone", "summary": "Order 17 arrived late", "description": "Late."}
    values.update(data)
    return services.feedback_log(actor=actor, data=values)


def _post_step(client, item, name, **data):
    return client.post(reverse("feedback:item_transition", args=[item.pk]), {"transition": name, **data})


# Access ------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, quality):
    item = _log(quality)
    for url in (LIST_URL, CREATE_URL, item.get_absolute_url(), SLA_URL, reverse("feedback:category_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [("quality", 200), ("management", 200), ("staff", 404), ("auditor", 200), ("admin", 200)],
)
def test_detail_of_a_complaint_someone_else_logged(role, expected, personas, client_for):
    item = _log(personas["quality"])
    assert client_for(personas[role]).get(item.get_absolute_url()).status_code == expected


def test_staff_sees_the_complaint_they_logged_and_those_assigned_to_them(staff, quality, client_for):
    mine = _log(staff, summary="Mine")
    assigned = _log(quality, summary="Assigned to me", assignee=staff)
    other = _log(quality, summary="Somebody else's")
    client = client_for(staff)
    response = client.get(LIST_URL)
    shown = {item.pk for item in response.context["object_list"]}
    assert shown == {mine.pk, assigned.pk}
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("feedback:item_update", args=[other.pk])).status_code == 404
    assert _post_step(client, other, "acknowledge").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("quality", 200), ("management", 403), ("staff", 200), ("auditor", 403), ("admin", 200)],
)
def test_who_may_open_the_log_form(role, expected, personas, client_for):
    assert client_for(personas[role]).get(CREATE_URL).status_code == expected


def test_auditor_cannot_write_anything(auditor, quality, client_for):
    item = _log(quality)
    client = client_for(auditor)
    assert client.post(CREATE_URL, {"kind": "complaint", "summary": "x", "description": "y"}).status_code == 403
    assert _post_step(client, item, "acknowledge").status_code == 403
    assert client.post(reverse("feedback:item_update", args=[item.pk]), {}).status_code == 403
    assert client.post(reverse("feedback:category_create"), {"name": "X"}).status_code == 403
    assert client.post(SLA_URL, {"part": "holiday", "date": "2030-01-01", "name": "X"}).status_code == 403
    item.refresh_from_db()
    assert item.status == "received"
    assert not Category.objects.filter(name="X").exists()


# The list ----------------------------------------------------------------------------------------


def test_list_shows_status_in_words_and_overdue(quality, client_for):
    item = _log(quality, summary="Broken seal", received_at=timezone.now() - dt.timedelta(days=30))
    response = client_for(quality).get(LIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert item.reference in html
    assert ">Received</span>" in html
    assert ">Overdue</span>" in html


def test_list_filters_by_status_and_overdue(quality, client_for):
    late = _log(quality, summary="Late one", received_at=timezone.now() - dt.timedelta(days=30))
    fresh = _log(quality, summary="Fresh one")
    client = client_for(quality)
    shown = {i.pk for i in client.get(LIST_URL, {"overdue": "true"}).context["object_list"]}
    assert shown == {late.pk}
    shown = {i.pk for i in client.get(LIST_URL, {"q": "Fresh"}).context["object_list"]}
    assert shown == {fresh.pk}


def test_list_sorts_by_due(quality, client_for):
    older = _log(quality, summary="Older", received_at=timezone.now() - dt.timedelta(days=3))
    newer = _log(quality, summary="Newer")
    rows = list(client_for(quality).get(LIST_URL, {"sort": "next_due_at"}).context["object_list"])
    assert [row.pk for row in rows] == [older.pk, newer.pk]


def test_empty_list_says_what_to_do(staff, client_for):
    html = client_for(staff).get(LIST_URL).content.decode()
    assert "Nothing here yet" in html
    assert "Log feedback" in html


def test_list_has_a_pareto_chart_and_the_same_figures_as_a_table(quality, client_for):
    delivery = CategoryFactory(name="Delivery")
    for _ in range(3):
        _log(quality, category=delivery)
    _log(quality, category=None)
    response = client_for(quality).get(LIST_URL)
    assert response.context["pareto"][0] == {"category": "Delivery", "count": 3, "cumulative_pct": 75.0}
    html = response.content.decode()
    assert 'id="pareto-chart"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert '<th scope="row">Uncategorised</th>' in html


def test_export_csv_holds_the_filtered_list(quality, client_for):
    _log(quality, summary="Exported one")
    _log(quality, kind="compliment", summary="Not this one")
    response = client_for(quality).get(LIST_URL, {"kind": "complaint", "export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert "Exported one" in body
    assert "Not this one" not in body


def test_staff_cannot_export(staff, client_for):
    assert client_for(staff).get(LIST_URL, {"export": "csv"}).status_code == 403


def test_list_queries_do_not_grow_with_rows(quality, client_for, django_assert_max_num_queries):
    client = client_for(quality)
    FeedbackItemFactory.create_batch(2, assignee=quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        assert client.get(LIST_URL).status_code == 200
    FeedbackItemFactory.create_batch(20, assignee=quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(LIST_URL)
    assert len(response.context["object_list"]) == 22

    assert len(response.context["object_list"]) == 22


def test_a_list_page_reads_the_columns_it_shows_and_an_export_whole_rows(quality, client_for):
    client = client_for(quality)
    quality.first_name, quality.last_name = "Quinn", "Manager"
    quality.save()
    item = FeedbackItemFactory(assignee=quality, severity="high", description="Private details of the case")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    rows = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "feedback_feedbackitem"."id"')]
    assert len(rows) == 1 and '"description"' not in rows[0] and '"root_cause_analysis"' not in rows[0]
    assert '"customers_customer"."notes"' not in rows[0] and '"accounts_user"."password"' not in rows[0]
    page = response.content.decode()
    for shown in (item.reference, item.summary, str(item.customer), "Quinn Manager", "High", "Received"):
        assert shown in page
    assert "Private details" not in page
    exported = client.get(LIST_URL, {"export": "csv"})
    assert item.customer.code in b"".join(exported.streaming_content).decode()


# Logging -----------------------------------------------------------------------------------------


def test_staff_logs_a_phone_complaint_with_a_file(staff, client_for):
    client = client_for(staff)
    form = client.get(CREATE_URL).context["form"]
    assert "assignee" not in form.fields and "severity" not in form.fields
    photo = sample_upload("seal.png", content_type="image/png")
    response = client.post(
        CREATE_URL,
        {
            "kind": "complaint",
            "channel": "phone",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "submitter_name": "Jo Caller",
            "submitter_phone": "+44 20 7946 0000",
            "summary": "Seal broken on arrival",
            "description": "Two boxes had broken seals.",
            "attachments": [photo],
        },
        follow=True,
    )
    item = FeedbackItem.objects.get()
    assert response.redirect_chain[-1][0] == item.get_absolute_url()
    assert f"Logged as {item.reference}" in response.content.decode()
    assert item.logged_by == staff and item.submitter_name == "Jo Caller"
    assert item.attachments.get().original_name == "seal.png"


def test_quality_manager_can_assign_and_assess_when_logging(quality, staff, client_for):
    client = client_for(quality)
    form = client.get(CREATE_URL).context["form"]
    assert {"assignee", "severity"} <= set(form.fields)
    client.post(
        CREATE_URL,
        {
            "kind": "complaint",
            "channel": "email",
            "summary": "Wrong label",
            "description": "x",
            "assignee": staff.pk,
            "severity": "high",
        },
    )
    item = FeedbackItem.objects.get()
    assert (item.assignee, item.severity) == (staff, "high")


def test_log_refusal_names_the_field_and_keeps_the_input(staff, client_for):
    bad = sample_upload("run.exe")
    response = client_for(staff).post(
        CREATE_URL,
        {
            "kind": "complaint",
            "channel": "phone",
            "summary": "Keep me",
            "description": "Typed text",
            "attachments": [bad],
        },
    )
    assert response.status_code == 400
    assert "run.exe: this type of file is not accepted" in response.context["form"].errors["attachments"][0]
    assert 'value="Keep me"' in response.content.decode()
    assert not FeedbackItem.objects.exists()


def test_log_in_the_future_is_refused_on_the_field(staff, client_for):
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(staff).post(
        CREATE_URL, {"kind": "complaint", "channel": "phone", "received_at": future, "summary": "s", "description": "d"}
    )
    assert response.status_code == 400
    assert "future" in response.context["form"].errors["received_at"][0]


# The detail page and the workflow --------------------------------------------------------------


def test_detail_shows_targets_steps_and_timeline(quality, client_for):
    item = _log(quality)
    response = client_for(quality).get(item.get_absolute_url())
    html = response.content.decode()
    assert [form.transition.name for form in response.context["transition_forms"]][:1] == ["acknowledge"]
    assert "Time targets" in html and "left" in html
    assert "Timeline" in html
    assert "Add corrective action" in html
    assert f"source=feedback.feedbackitem:{item.pk}" in html


def test_overdue_target_says_by_how_much(quality, client_for):
    item = _log(quality, received_at=timezone.now() - dt.timedelta(days=30))
    html = client_for(quality).get(item.get_absolute_url()).content.decode()
    assert "Overdue by" in html


def test_paused_complaint_says_since_when(quality, client_for):
    item = _log(quality, severity="low")
    for name, extra in (("acknowledge", {}), ("investigate", {}), ("await_customer", {"comment": "Asked for a photo"})):
        item = services.feedback_transition(actor=quality, item=item, name=name, **extra)
    html = client_for(quality).get(item.get_absolute_url()).content.decode()
    assert "Paused — waiting on the customer since" in html


def test_quality_manager_moves_a_complaint_to_closed(quality, client_for):
    client = client_for(quality)
    item = _log(quality, severity="medium")
    assert _post_step(client, item, "acknowledge").status_code == 302
    assert _post_step(client, item, "investigate").status_code == 302
    assert _post_step(client, item, "propose_response", response="We will replace it.").status_code == 302
    assert _post_step(client, item, "resolve", response="We will replace it.").status_code == 302
    response = _post_step(
        client, item, "close", outcome_communicated="Phoned the customer.", acceptance="accepted", comment="Done"
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "closed" and item.acceptance == "accepted"
    names = list(FeedbackTransition.objects.filter(item=item).values_list("name", flat=True))
    assert names == ["receive", "acknowledge", "investigate", "propose_response", "resolve", "close"]
    html = client.get(item.get_absolute_url()).content.decode()
    assert "Resolved → Closed" in html


def test_refused_step_names_the_field_with_400_and_keeps_what_was_typed(quality, client_for):
    client = client_for(quality)
    item = _log(quality, severity="medium")
    services.feedback_transition(actor=quality, item=item, name="acknowledge")
    services.feedback_transition(actor=quality, item=item, name="investigate")
    response = _post_step(client, item, "propose_response", response="   ", comment="my draft note")
    assert response.status_code == 400
    form = next(f for f in response.context["transition_forms"] if f.transition.name == "propose_response")
    assert form.errors["response"] == ["Write the response to the complainant first."]
    html = response.content.decode()
    assert "my draft note" in html
    assert "Response to the complainant: Write the response" in html
    item.refresh_from_db()
    assert item.status == "investigating"


def test_closing_without_outcome_is_refused_naming_both_fields(quality, client_for):
    item = _log(quality, severity="medium")
    for name in ("acknowledge", "investigate"):
        item = services.feedback_transition(actor=quality, item=item, name=name)
    item = services.feedback_transition(actor=quality, item=item, name="propose_response", response="Sorry")
    item = services.feedback_transition(actor=quality, item=item, name="resolve")
    response = _post_step(client_for(quality), item, "close", outcome_communicated="", acceptance="")
    assert response.status_code == 400
    form = next(f for f in response.context["transition_forms"] if f.transition.name == "close")
    assert set(form.errors) == {"outcome_communicated", "acceptance"}


def test_step_not_allowed_now_is_refused_with_400(quality, client_for):
    item = _log(quality)
    response = _post_step(client_for(quality), item, "resolve", response="x")
    assert response.status_code == 400
    assert "is not possible" in response.content.decode()


def test_staff_who_logged_it_cannot_move_it_on(staff, client_for):
    item = _log(staff)
    client = client_for(staff)
    assert client.get(item.get_absolute_url()).context["transition_forms"] == []
    assert _post_step(client, item, "acknowledge").status_code == 403


def test_assignee_acknowledges(staff, quality, client_for):
    item = _log(quality, assignee=staff)
    assert _post_step(client_for(staff), item, "acknowledge").status_code == 302
    item.refresh_from_db()
    assert item.status == "acknowledged"


def test_closing_with_open_actions_asks_for_a_reason(quality, client_for):
    from qms.actions.services import action_create

    item = _log(quality, severity="medium")
    for name in ("acknowledge", "investigate"):
        item = services.feedback_transition(actor=quality, item=item, name=name)
    item = services.feedback_transition(actor=quality, item=item, name="propose_response", response="Sorry")
    item = services.feedback_transition(actor=quality, item=item, name="resolve")
    action = action_create(
        actor=quality,
        kind="corrective",
        title="Retrain packers",
        owner=quality,
        due_date=timezone.localdate() + dt.timedelta(days=10),
        source=item,
    )
    client = client_for(quality)
    page = client.get(item.get_absolute_url())
    assert action.reference in page.content.decode()
    close_form = next(f for f in page.context["transition_forms"] if f.transition.name == "close")
    assert "override_reason" in close_form.fields
    response = _post_step(client, item, "close", outcome_communicated="Told them", acceptance="accepted")
    assert response.status_code == 400
    assert (
        "override_reason"
        in next(f for f in response.context["transition_forms"] if f.transition.name == "close").errors
    )
    response = _post_step(
        client,
        item,
        "close",
        outcome_communicated="Told them",
        acceptance="accepted",
        override_reason="The action is long-term; the complaint itself is settled.",
    )
    assert response.status_code == 302


def test_detail_queries_do_not_grow_with_steps_files_and_actions(quality, client_for, django_assert_max_num_queries):
    from qms.actions.services import action_create

    item = _log(quality, severity="medium")
    client = client_for(quality)

    def add_rows():
        services.feedback_attach(
            actor=quality, item=item, uploads=[SimpleUploadedFile("a.txt", b"x", content_type="text/plain")]
        )
        action_create(
            actor=quality,
            kind="corrective",
            title="Fix it",
            owner=quality,
            due_date=timezone.localdate() + dt.timedelta(days=5),
            source=item,
        )

    add_rows()
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        assert client.get(item.get_absolute_url()).status_code == 200
    for name in ("acknowledge", "investigate", "await_customer", "resume"):
        services.feedback_transition(actor=quality, item=item, name=name, comment="Step")
    for _ in range(3):
        add_rows()
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        response = client.get(item.get_absolute_url())
    assert len(response.context["actions"]) == 4


# Editing -----------------------------------------------------------------------------------------


def test_quality_manager_edits_everything_including_the_assignee(quality, staff, client_for):
    item = _log(quality)
    client = client_for(quality)
    form = client.get(reverse("feedback:item_update", args=[item.pk])).context["form"]
    assert {"assignee", "summary", "requirements", "root_cause_analysis"} <= set(form.fields)
    data = {name: value for name, value in form.initial.items() if value is not None and name != "requirements"}
    data.update(
        assignee=staff.pk, severity="high", received_at=timezone.localtime(item.received_at).strftime("%Y-%m-%dT%H:%M")
    )
    response = client.post(reverse("feedback:item_update", args=[item.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    item.refresh_from_db()
    assert (item.assignee, item.severity) == (staff, "high")
    assert AuditEntry.objects.filter(object_id=str(item.pk), action="update").exists()


def test_assignee_edits_only_the_working_fields(quality, staff, client_for):
    item = _log(quality, assignee=staff)
    client = client_for(staff)
    url = reverse("feedback:item_update", args=[item.pk])
    form = client.get(url).context["form"]
    assert set(form.fields) == set(services.WORK_FIELDS)
    response = client.post(url, {"severity": "low", "root_cause_analysis": "Why 1\nWhy 2", "summary": "Hacked"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.root_cause_analysis == "Why 1\nWhy 2" and item.summary == "Order 17 arrived late"


def test_staff_who_only_logged_it_cannot_edit(staff, client_for):
    item = _log(staff)
    assert client_for(staff).get(reverse("feedback:item_update", args=[item.pk])).status_code == 403


def test_management_cannot_edit(management, quality, client_for):
    item = _log(quality)
    assert client_for(management).get(reverse("feedback:item_update", args=[item.pk])).status_code == 403


def test_edit_refusal_is_400_on_the_field(quality, client_for):
    item = _log(quality)
    url = reverse("feedback:item_update", args=[item.pk])
    response = client_for(quality).post(
        url,
        {
            "summary": "  ",
            "description": "d",
            "kind": "complaint",
            "channel": "phone",
            "received_at": "2020-01-01T10:00",
        },
    )
    assert response.status_code == 400
    assert "summary" in response.context["form"].errors


# Attachments -------------------------------------------------------------------------------------


def test_attachment_upload_download_and_delete(quality, client_for):
    item = _log(quality)
    client = client_for(quality)
    upload = SimpleUploadedFile("note.txt", b"delivery note", content_type="text/plain")
    response = client.post(reverse("feedback:attachment_create", args=[item.pk]), {"file": [upload]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = client.get(reverse("feedback:attachment_download", args=[item.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"delivery note"
    assert 'attachment; filename="note.txt"' in download["Content-Disposition"]
    delete_url = reverse("feedback:attachment_delete", args=[item.pk, attachment.pk])
    assert "cannot be undone" in client.get(delete_url).content.decode()
    assert client.post(delete_url).status_code == 302
    assert not Attachment.objects.exists()


def test_html_sent_as_text_is_downloaded_never_shown_as_a_page(quality, client_for):
    item = _log(quality)
    upload = SimpleUploadedFile("page.txt", HTML, content_type="text/html")
    client = client_for(quality)
    assert client.post(reverse("feedback:attachment_create", args=[item.pk]), {"file": [upload]}).status_code == 302
    attachment = Attachment.objects.get()
    assert re.fullmatch(r"feedback/\d{4}/\d{2}/[0-9a-f]{32}\.txt", attachment.file.name)
    assert attachment.original_name == "page.txt"
    response = client.get(reverse("feedback:attachment_download", args=[item.pk, attachment.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="page.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(response.streaming_content) == HTML


def test_a_file_stored_before_the_checks_is_sent_as_an_opaque_download(quality, client_for):
    item = _log(quality)
    attachment = services.feedback_attach(actor=quality, item=item, uploads=[sample_upload("a.txt")])[0]
    # As if kept by an older version under its own name: its type must not come from that name.
    attachment.file.save("legacy/page.html", SimpleUploadedFile("page.html", HTML), save=False)
    attachment.original_name = "page.html"
    attachment.save()
    response = client_for(quality).get(reverse("feedback:attachment_download", args=[item.pk, attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_attachment_of_a_hidden_complaint_is_404_for_staff(quality, staff, client_for):
    item = _log(quality)
    attachment = services.feedback_attach(
        actor=quality, item=item, uploads=[SimpleUploadedFile("a.txt", b"x", content_type="text/plain")]
    )[0]
    client = client_for(staff)
    assert client.get(reverse("feedback:attachment_download", args=[item.pk, attachment.pk])).status_code == 404
    assert client.get(reverse("feedback:attachment_create", args=[item.pk])).status_code == 404


def test_staff_cannot_delete_attachments(staff, client_for):
    item = _log(staff)
    attachment = services.feedback_attach(
        actor=staff, item=item, uploads=[SimpleUploadedFile("a.txt", b"x", content_type="text/plain")]
    )[0]
    url = reverse("feedback:attachment_delete", args=[item.pk, attachment.pk])
    assert client_for(staff).post(url).status_code == 403


def test_bad_upload_is_refused_on_the_field(quality, client_for):
    item = _log(quality)
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client_for(quality).post(reverse("feedback:attachment_create", args=[item.pk]), {"file": [bad]})
    assert response.status_code == 400
    assert "virus.exe" in response.context["form"].errors["file"][0]


# Categories --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [("quality", 302), ("staff", 403), ("management", 403)])
def test_who_may_add_a_category(role, expected, personas, client_for):
    response = client_for(personas[role]).post(reverse("feedback:category_create"), {"name": "Delivery"})
    assert response.status_code == expected
    assert Category.objects.filter(name="Delivery").exists() is (expected == 302)


def test_category_edit_and_refused_delete(quality, client_for):
    category = CategoryFactory(name="Delivery")
    _log(quality, category=category)
    client = client_for(quality)
    response = client.post(reverse("feedback:category_update", args=[category.pk]), {"name": "Deliveries"})
    assert response.status_code == 302
    response = client.post(reverse("feedback:category_delete", args=[category.pk]), follow=True)
    assert "make it inactive instead" in response.content.decode()
    assert Category.objects.filter(name="Deliveries").exists()


def test_duplicate_category_is_400(quality, client_for):
    CategoryFactory(name="Delivery")
    response = client_for(quality).post(reverse("feedback:category_create"), {"name": "Delivery"})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors


def test_category_list_for_staff_has_no_add_button(staff, client_for):
    CategoryFactory(name="Delivery")
    html = client_for(staff).get(reverse("feedback:category_list")).content.decode()
    assert "Delivery" in html and "Add category" not in html


# Time targets ------------------------------------------------------------------------------------


def _targets_post(**overrides):
    data = {"part": "targets"}
    for severity, (acknowledge, resolve) in services.DEFAULT_TARGETS.items():
        data.update(
            {
                f"{severity}-acknowledge_days": str(acknowledge),
                f"{severity}-resolve_days": str(resolve),
                f"{severity}-warn_before_hours": "4",
            }
        )
    data.update(overrides)
    return data


def test_settings_show_the_defaults_when_nothing_is_saved(management, client_for):
    response = client_for(management).get(SLA_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "(default)" in html
    assert "target_forms" not in response.context
    assert "Save the targets" not in html


def test_quality_manager_saves_targets(quality, client_for):
    response = client_for(quality).post(SLA_URL, _targets_post(**{"high-resolve_days": "4"}))
    assert response.status_code == 302
    assert SlaTarget.objects.get(severity="high").resolve_days == 4


def test_target_refusal_is_400_on_the_field(quality, client_for):
    response = client_for(quality).post(
        SLA_URL, _targets_post(**{"low-resolve_days": "1", "low-acknowledge_days": "2"})
    )
    assert response.status_code == 400
    low_form = next(form for row, form in response.context["target_forms"] if row["severity"] == "low")
    assert "resolve_days" in low_form.errors


def test_quality_manager_saves_the_working_week(quality, client_for):
    data = {"part": "week", "monday": "on", "tuesday": "on", "wednesday": "on", "thursday": "on", "saturday": "on"}
    assert client_for(quality).post(SLA_URL, data).status_code == 302
    week = WorkingWeek.objects.get()
    assert week.saturday and not week.friday


def test_empty_working_week_is_refused(quality, client_for):
    response = client_for(quality).post(SLA_URL, {"part": "week"})
    assert response.status_code == 400
    assert "Tick at least one working day." in response.content.decode()


def test_holiday_add_and_delete_with_confirmation(quality, client_for):
    client = client_for(quality)
    assert client.post(SLA_URL, {"part": "holiday", "date": "2030-12-25", "name": "Christmas"}).status_code == 302
    holiday = Holiday.objects.get()
    delete_url = reverse("feedback:holiday_delete", args=[holiday.pk])
    assert "Christmas" in client.get(delete_url).content.decode()
    assert client.post(delete_url).status_code == 302
    assert not Holiday.objects.exists()


@pytest.mark.parametrize("role", ["staff", "management"])
def test_others_cannot_change_the_settings(role, personas, client_for):
    client = client_for(personas[role])
    assert client.post(SLA_URL, _targets_post()).status_code == 403
    assert client.post(SLA_URL, {"part": "holiday", "date": "2030-12-25", "name": "X"}).status_code == 403
    assert not SlaTarget.objects.exists() and not Holiday.objects.exists()


# Home page ---------------------------------------------------------------------------------------


def test_home_shows_my_open_and_overdue_complaints(quality, staff, client_for):
    _log(quality, assignee=staff, received_at=timezone.now() - dt.timedelta(days=30))
    _log(quality, assignee=staff)
    _log(quality)
    figures = {f["label"]: f["value"] for f in client_for(staff).get("/").context["sections"]["figures"]}
    assert figures["Complaints assigned to you, open"] == 2
    assert figures["Your complaints past a time target"] == 1


def test_home_shows_everyones_open_and_overdue_complaints_to_those_who_oversee(quality, staff, personas, client_for):
    _log(quality, assignee=staff, received_at=timezone.now() - dt.timedelta(days=30))
    _log(quality)
    for role in ("quality", "management", "auditor"):
        figures = {f["label"]: f["value"] for f in client_for(personas[role]).get("/").context["sections"]["figures"]}
        assert (figures["Open complaints"], figures["Complaints past a time target"]) == (2, 1), role
    staff_figures = {f["label"] for f in client_for(staff).get("/").context["sections"]["figures"]}
    assert "Open complaints" not in staff_figures


def test_home_shows_the_nps_of_the_last_year_to_those_who_read_surveys(management, staff, client_for):
    from feedback.tests.survey_factories import SurveyResponseFactory

    SurveyResponseFactory(nps_score=10)
    SurveyResponseFactory(nps_score=3)
    sections = client_for(management).get("/").context["sections"]
    figures = {f["label"]: f["value"] for f in sections["figures"]}
    assert figures["NPS, last 12 months (2 answers)"] == 0.0
    assert {"label": "Survey results", "url": reverse("feedback:survey_results")} in sections["links"]
    staff_labels = {f["label"] for f in client_for(staff).get("/").context["sections"]["figures"]}
    assert not any(label.startswith("NPS") for label in staff_labels)


def test_saving_the_edit_form_unchanged_records_no_change(quality, client_for):
    item = _log(quality, summary="Unchanged")
    client = client_for(quality)
    url = reverse("feedback:item_update", args=[item.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    item_after = FeedbackItem.objects.get(pk=item.pk)
    assert item_after.received_at == item.received_at
    updates = AuditEntry.objects.filter(action="update", object_id=str(item.pk))
    assert all("received_at" not in entry.changes for entry in updates)


def test_htmx_filter_answers_with_the_results_fragment(quality, client_for):
    _log(quality, summary="Fragment row")
    response = client_for(quality).get(LIST_URL, {"q": "Fragment"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Fragment row" in html
    assert "<form" not in html and "pareto-chart" not in html


def test_any_and_empty_filters_are_not_filtering(quality, client_for):
    """The form sends every field with each change: "Any" of a yes/no filter ("unknown") and empty fields
    leave the list whole, so it says how many records it holds, not how many match."""
    _log(quality, summary="Only row")
    client = client_for(quality)
    cleared = {"q": " ", "open": "unknown", "overdue": "unknown", "kind": "", "received_after": ""}
    html = re.sub(r"\s+", " ", client.get(LIST_URL, cleared, HTTP_HX_REQUEST="true").content.decode())
    assert "1 record." in html and "match" not in html
    html = re.sub(r"\s+", " ", client.get(LIST_URL, {**cleared, "open": "true"}).content.decode())
    assert "1 record matches the filters." in html


def test_a_filter_value_that_cannot_be_read_is_named_on_the_page(quality, client_for):
    _log(quality, summary="Still listed")
    html = client_for(quality).get(LIST_URL, {"received_after": "31/31/2026"}).content.decode()
    assert "Received from: Enter a valid date. This filter is not applied." in html
    assert "Still listed" in html


def test_demo_seeder_runs_twice_without_duplicates(quality, staff):
    from feedback.demo import DEMO_ITEMS, seed_feedback

    seed_feedback()
    assert FeedbackItem.objects.count() == len(DEMO_ITEMS)
    assert FeedbackItem.objects.filter(status="closed", kind="complaint", acceptance="accepted").exists()
    assert FeedbackItem.objects.filter(paused_since__isnull=False).exists()
    assert seed_feedback().startswith("feedback: 0 items created")
    assert FeedbackItem.objects.count() == len(DEMO_ITEMS)
    assert SlaTarget.objects.count() == 4


def test_export_xlsx(quality, client_for):
    _log(quality, summary="In the workbook")
    response = client_for(quality).get(LIST_URL, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# Searching: every searched column in any case, a customer's code or name, never a word spread over two columns


def test_search_finds_a_word_in_any_searched_column_in_any_case(quality, client_for):
    from customers.tests.factories import CustomerFactory

    found = {
        "summary": FeedbackItemFactory(summary="Crushed carton"),
        "description": FeedbackItemFactory(description="The CRUSHED box leaked."),
        "submitter_name": FeedbackItemFactory(submitter_name="Ann Crushedsky"),
        "submitter_email": FeedbackItemFactory(submitter_email="crushed@example.org"),
        "product": FeedbackItemFactory(product="Crusher C-1 crushed"),
        "customer": FeedbackItemFactory(customer=CustomerFactory(name="Crushed Ice Ltd")),
    }
    FeedbackItemFactory(summary="Crush", description="ed")  # the word only across two columns
    FeedbackItemFactory(summary="Late delivery")
    client = client_for(quality)
    shown = {item.pk for item in client.get(LIST_URL, {"q": "cRuShEd"}).context["object_list"]}
    assert shown == {item.pk for item in found.values()}
    reference = found["summary"].reference
    shown = {item.pk for item in client.get(LIST_URL, {"q": reference.lower()}).context["object_list"]}
    assert shown == {found["summary"].pk}


def test_search_by_customer_name_when_many_customers_match(quality, client_for, monkeypatch):
    """Past a number of matching customers the search joins them instead of listing their numbers."""
    from customers.tests.factories import CustomerFactory
    from feedback import filters

    monkeypatch.setattr(filters, "CUSTOMERS_MATCHED_BY_NUMBER", 1)
    items = [FeedbackItemFactory(customer=CustomerFactory(name=f"Nordwind {n}")) for n in range(3)]
    other = FeedbackItemFactory(customer=CustomerFactory(name="Sudwind"))
    assert isinstance(filters.customer_named("nordwind").children[0][1], QuerySet)
    shown = {item.pk for item in client_for(quality).get(LIST_URL, {"q": "NORDWIND"}).context["object_list"]}
    assert shown == {item.pk for item in items}
    assert filters.customer_named("sudwind").children[0][1] == [other.customer_id]


def test_search_by_a_customers_code(quality, client_for):
    from customers.tests.factories import CustomerFactory

    theirs = FeedbackItemFactory(customer=CustomerFactory(code="NORD-77", name="Nordwind"))
    other = FeedbackItemFactory(customer=CustomerFactory(code="SUD-1", name="Sudwind"), summary="Sent to NORD-77")
    FeedbackItemFactory(customer=CustomerFactory(code="WEST-2", name="Westwind"))
    shown = {item.pk for item in client_for(quality).get(LIST_URL, {"q": "nord-7"}).context["object_list"]}
    assert shown == {theirs.pk, other.pk}
    shown = [item.pk for item in client_for(quality).get(LIST_URL, {"q": "sud-"}).context["object_list"]]
    assert shown == [other.pk]


def test_a_filtered_list_counts_only_so_far_and_says_more_than(quality, client_for, settings):
    settings.LIST_COUNT_UP_TO, settings.SEARCH_COUNT_UP_TO = 100, 3
    for n in range(5):
        FeedbackItemFactory(summary=f"Dented lid {n}")
    FeedbackItemFactory(summary="Something else")
    client = client_for(quality)
    response = client.get(LIST_URL, {"q": "dented"})
    text = re.sub(r"\s+", " ", response.content.decode())
    assert response.context["count_is_partial"] is True
    assert "More than 3 records match the filters" in text
    # Every match is still reached by following "Next" (the links do not depend on the count).
    seen, url = [], LIST_URL + "?q=dented"
    while url:
        page = client.get(url)
        seen += [item.pk for item in page.context["object_list"]]
        nxt = page.context["page_links"].get("next")
        url = LIST_URL + nxt if nxt else None
    assert len(seen) == len(set(seen)) == 5
    # Up to the limit the count is exact.
    response = client.get(LIST_URL, {"q": "something"})
    assert response.context["count_is_partial"] is False
    assert "1 record matches the filters" in re.sub(r"\s+", " ", response.content.decode())
    # A list filtered without a word is counted as far as LIST_COUNT_UP_TO.
    response = client.get(LIST_URL, {"status": "received"})
    assert response.context["count_is_partial"] is False
    assert "6 records match the filters" in re.sub(r"\s+", " ", response.content.decode())
    settings.LIST_COUNT_UP_TO = 4
    response = client.get(LIST_URL, {"status": "received"})
    assert "More than 4 records match the filters" in re.sub(r"\s+", " ", response.content.decode())


def test_every_date_filter_is_a_date_picker_that_keeps_its_value(quality, client_for):
    page = client_for(quality).get(LIST_URL, {"resolved_after": "2026-03-01", "received_before": "2026-04-30"})
    html = page.content.decode()
    for name in ("received_after", "received_before", "resolved_after", "resolved_before"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="date"' in tag, tag
    assert re.search(r'<input[^>]*name="resolved_after"[^>]*value="2026-03-01"', html)
    assert re.search(r'<input[^>]*name="received_before"[^>]*value="2026-04-30"', html)
