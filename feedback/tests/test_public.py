"""The public pages: a customer sends feedback without an account and follows it by reference or link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from customers.tests.factories import ContactFactory
from feedback import public_views, ratelimit
from feedback.choices import Channel, FeedbackStatus
from feedback.models import Attachment, FeedbackItem, FeedbackTransition
from feedback.services import feedback_transition, feedback_update
from qms.core.models import OutboxEmail
from qms.core.outbox import outbox_deliver
from qms.core.tests.upload_samples import sample_upload

SUBMIT = reverse("feedback_public:submit")
THANKS = reverse("feedback_public:thanks")
STATUS = reverse("feedback_public:status")
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "kind": "complaint",
        "submitter_name": "Ada Customer",
        "submitter_email": "ada@example.org",
        "submitter_phone": "+44 20 7946 0000",
        "product": "Order 4711",
        "summary": "Parcel arrived damaged",
        "description": "The box was crushed and two parts were bent.",
        "website": "",
    }
    data.update(overrides)
    return data


def upload(name: str = "photo.png", size: int | None = None) -> SimpleUploadedFile:
    return sample_upload(name, size)


def submit(client, **overrides):
    return client.post(SUBMIT, form_data(**overrides))


def status_path(item: FeedbackItem) -> str:
    return reverse("feedback_public:status_token", args=[item.public_token])


def main_text(response) -> str:
    """The page's <main>, where everything a test cares about is written."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def not_found_message(response) -> str:
    return re.search(r'data-testid="not-found">(.*?)</div>', response.content.decode(), re.S).group(1)


# Submitting ----------------------------------------------------------------------------------------


def test_form_shows_the_fields_and_the_attachment_limits(client, settings):
    settings.FEEDBACK_MAX_UPLOAD_MB = 4
    response = client.get(SUBMIT)
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("kind", "submitter_name", "submitter_email", "submitter_phone", "product", "summary", "description"):
        assert f'name="{name}"' in page
    assert 'name="attachments"' in page and "multiple" in page
    assert "Up to 5 files, each at most 4 MB" in page
    assert ".pdf" in page
    assert 'name="csrfmiddlewaretoken"' in page
    # Nothing of the staff layout.
    assert "/accounts/" not in page and "user-menu" not in page


def test_honeypot_is_hidden_from_people(client):
    page = client.get(SUBMIT).content.decode()
    honeypot = re.search(r'<div class="feedback-hp" aria-hidden="true">.*?</div>', page, re.S).group(0)
    assert 'name="website"' in honeypot
    assert 'tabindex="-1"' in honeypot
    assert 'autocomplete="off"' in honeypot


def test_submission_records_a_web_form_item_and_shows_its_reference(client):
    response = submit(client)
    assert response.status_code == 302
    assert response["Location"] == THANKS
    item = FeedbackItem.objects.get()
    assert item.channel == Channel.WEB_FORM
    assert item.status == FeedbackStatus.RECEIVED
    assert (item.kind, item.submitter_email, item.summary) == ("complaint", "ada@example.org", "Parcel arrived damaged")
    assert item.logged_by is None
    thanks = client.get(THANKS)
    assert thanks.status_code == 200
    text = main_text(thanks)
    assert item.reference in text
    assert "ada@example.org" in text
    assert status_path(item) in text  # the same link as in the e-mail


@pytest.mark.parametrize("kind", ["complaint", "compliment", "suggestion"])
def test_each_public_kind_is_accepted(client, kind):
    assert submit(client, kind=kind).status_code == 302
    assert FeedbackItem.objects.get().kind == kind


def test_enquiry_is_not_offered_publicly(client):
    response = submit(client, kind="enquiry")
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    assert not FeedbackItem.objects.exists()


def test_receipt_email_is_queued_then_sent_once_by_the_outbox(client, mailoutbox, settings):
    settings.QMS_PORTAL_URL = "https://qms.example.com"
    submit(client)
    item = FeedbackItem.objects.get()
    queued = OutboxEmail.objects.get()
    assert queued.sent_at is None and mailoutbox == []  # the request only wrote the row
    assert outbox_deliver() == {"sent": 1, "failed": 0}
    [message] = mailoutbox
    assert message.to == ["ada@example.org"]
    assert item.reference in message.subject
    assert f"https://qms.example.com{status_path(item)}" in message.body
    assert outbox_deliver() == {"sent": 0, "failed": 0}
    assert len(mailoutbox) == 1


def test_known_contacts_email_links_the_customer(client):
    contact = ContactFactory(email="buyer@acme.example")
    submit(client, submitter_email="Buyer@ACME.example")
    item = FeedbackItem.objects.get()
    assert item.contact == contact
    assert item.customer == contact.customer


def test_unknown_email_links_no_customer(client):
    ContactFactory(email="buyer@acme.example")
    submit(client, submitter_email="someone@else.example")
    item = FeedbackItem.objects.get()
    assert item.contact is None and item.customer is None


def test_attachments_are_saved_with_the_item(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = form_data(attachments=[upload("photo.png"), upload("note.pdf")])
    assert client.post(SUBMIT, data).status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["note.pdf", "photo.png"]
    assert set(Attachment.objects.values_list("uploaded_by", flat=True)) == {None}


def test_filled_honeypot_pretends_success_without_saving(client, mailoutbox):
    response = submit(client, website="https://spam.example")
    assert response.status_code == 302
    assert response["Location"] == THANKS
    thanks = client.get(THANKS)
    assert thanks.status_code == 200
    assert re.search(r"CMP-\d{4}-\d{5}", main_text(thanks))
    assert not FeedbackItem.objects.exists()
    assert not OutboxEmail.objects.exists()
    outbox_deliver()
    assert mailoutbox == []


def test_thanks_page_without_a_submission_sends_to_the_form(client):
    response = client.get(THANKS)
    assert response.status_code == 302
    assert response["Location"] == SUBMIT


def test_the_form_needs_the_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(SUBMIT, form_data()).status_code == 403
    assert not FeedbackItem.objects.exists()


def test_signed_in_people_may_use_the_public_pages_too(client, staff):
    client.force_login(staff)
    assert client.get(SUBMIT).status_code == 200
    assert submit(client).status_code == 302
    assert FeedbackItem.objects.get().logged_by is None


# Invalid input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("submitter_email", ""),
        ("submitter_email", "not-an-address"),
        ("submitter_name", ""),
        ("summary", "   "),
        ("description", ""),
        ("kind", ""),
    ],
)
def test_invalid_input_is_named_on_its_field_and_typed_text_is_kept(client, field, value):
    response = submit(client, **{field: value})
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert f'id="{field}-errors"' in page or field == "kind"
    if field != "description":
        assert "The box was crushed and two parts were bent." in page  # what was typed is still there
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload("big.pdf", 1024 * 1024 + 1)], "larger than 1 MB"),
        ([upload("virus.exe")], "virus.exe: this type of file is not accepted"),
        ([SimpleUploadedFile("photo.png", b"%PDF-1.4 a PDF")], "photo.png: the content is a PDF file"),
        ([upload(f"photo{n}.png") for n in range(6)], "at most 5 files"),
        ([upload("empty.txt", 0)], None),  # the browser's empty file: refused, by Django or the service
    ],
    ids=["too-large", "wrong-type", "content-disagrees-with-name", "too-many", "empty"],
)
def test_refused_files_are_named_on_the_attachments_field_and_nothing_is_saved(
    client, settings, tmp_path, files, message
):
    settings.FEEDBACK_MAX_UPLOAD_MB = 1
    settings.MEDIA_ROOT = tmp_path
    response = client.post(SUBMIT, form_data(attachments=files))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["attachments"]
    if message:
        assert message in " ".join(errors["attachments"])
    assert "choose them again" in response.content.decode()
    assert not FeedbackItem.objects.exists()
    assert not Attachment.objects.exists()
    assert not OutboxEmail.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.parametrize(
    ("error", "field"),
    [
        (ValidationError({"submitter_email": "Give an e-mail address so we can answer you."}), "submitter_email"),
        (ValidationError({"received_at": "It cannot have been received in the future."}), "__all__"),
        (ValidationError("Something the service refused."), "__all__"),
    ],
)
def test_a_services_validation_error_goes_onto_the_form(client, monkeypatch, error, field):
    def refuse(**kwargs):
        raise error

    monkeypatch.setattr(public_views, "feedback_submit_public", refuse)
    response = submit(client)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert error.messages[0] in main_text(response)


# Rate limit ----------------------------------------------------------------------------------------


def test_too_many_submissions_from_one_address_get_429(client, settings):
    settings.FEEDBACK_PUBLIC_RATE = "2/h"
    assert submit(client).status_code == 302
    assert submit(client, summary="Second").status_code == 302
    response = submit(client, summary="Third")
    assert response.status_code == 429
    assert "try again after" in main_text(response).lower()
    assert 0 < int(response["Retry-After"]) <= 3600
    assert FeedbackItem.objects.count() == 2


def test_the_429_page_says_when_to_try_again(client, settings):
    settings.FEEDBACK_PUBLIC_RATE = "1/h"
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 20, tzinfo=dt.UTC), tick=False):
        submit(client)
        response = submit(client)
    assert response.status_code == 429
    assert "try again after <strong>11:00</strong>" in main_text(response)
    assert "about 40 minutes" in main_text(response)
    assert response["Retry-After"] == "2400"


def test_looking_at_the_form_does_not_count(client, settings):
    settings.FEEDBACK_PUBLIC_RATE = "1/h"
    for _ in range(3):
        assert client.get(SUBMIT).status_code == 200
    assert submit(client).status_code == 302


def test_another_address_is_not_limited(client, settings):
    settings.FEEDBACK_PUBLIC_RATE = "1/h"
    assert submit(client).status_code == 302
    assert submit(client).status_code == 429
    assert client.post(SUBMIT, form_data(), REMOTE_ADDR="203.0.113.9").status_code == 302


def test_forwarded_for_is_not_trusted_unless_the_settings_say_so(client, settings):
    settings.FEEDBACK_PUBLIC_RATE = "1/h"
    assert client.post(SUBMIT, form_data(), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    assert client.post(SUBMIT, form_data(), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429
    settings.FEEDBACK_TRUST_X_FORWARDED_FOR = True
    assert client.post(SUBMIT, form_data(), HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.3").status_code == 302


def test_honeypot_submissions_count_towards_the_limit(client, settings):
    settings.FEEDBACK_PUBLIC_RATE = "1/h"
    submit(client, website="spam")
    assert submit(client).status_code == 429
    assert not FeedbackItem.objects.exists()


def test_status_lookups_are_limited_too(client, settings):
    settings.FEEDBACK_PUBLIC_RATE = "2/h"
    for _ in range(2):
        assert client.post(STATUS, {"reference": "CMP-2026-00001", "email": "x@example.org"}).status_code == 404
    response = client.post(STATUS, {"reference": "CMP-2026-00001", "email": "x@example.org"})
    assert response.status_code == 429
    assert "try again" in main_text(response).lower()


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [("5/h", 5, 3600), ("10/min", 10, 60), ("3/s", 3, 1), (" 100 / day ", 100, 86400), ("7/H", 7, 3600)],
)
def test_rates_are_read_as_count_per_period(text, count, seconds):
    assert ratelimit.parse_rate(text) == ratelimit.Rate(count, seconds)


@pytest.mark.parametrize("text", ["", "5", "five/h", "5/week", "0/h", "-1/h"])
def test_a_malformed_rate_is_refused_naming_the_setting(text):
    with pytest.raises(ImproperlyConfigured, match="FEEDBACK_PUBLIC_RATE"):
        ratelimit.parse_rate(text)


# Escaping ------------------------------------------------------------------------------------------


def test_a_script_typed_in_a_field_is_shown_escaped_on_the_thanks_page_and_in_the_email(client, mailoutbox):
    submit(client, submitter_name=SCRIPT, summary=SCRIPT, description=SCRIPT, product=SCRIPT)
    thanks = client.get(THANKS).content.decode()
    assert SCRIPT not in thanks
    assert ESCAPED in thanks
    outbox_deliver()
    [message] = mailoutbox
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert SCRIPT not in html
    assert ESCAPED in html


def test_a_script_in_a_refused_form_is_shown_escaped(client):
    response = submit(client, summary=SCRIPT, submitter_email="")
    assert response.status_code == 400
    page = response.content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page


def test_a_script_in_the_response_or_the_lookup_is_shown_escaped(client, quality):
    item = _submitted(client)
    _resolve(item, quality, response=f"We are sorry. {SCRIPT}")
    page = client.get(status_path(item)).content.decode()
    assert SCRIPT not in page
    assert ESCAPED in page
    lookup = client.post(STATUS, {"reference": "<script>x</script>", "email": "ada@example.org"}).content.decode()
    assert "<script>x</script>" not in lookup


# Status --------------------------------------------------------------------------------------------


def _submitted(client, **overrides) -> FeedbackItem:
    assert submit(client, **overrides).status_code == 302
    return FeedbackItem.objects.get(summary=overrides.get("summary", "Parcel arrived damaged"))


def _resolve(item: FeedbackItem, actor, *, response: str = "We replaced the parts.") -> FeedbackItem:
    item = feedback_transition(actor=actor, item=item, name="acknowledge")
    item = feedback_update(actor=actor, item=item, data={"severity": "medium"})
    item = feedback_transition(actor=actor, item=item, name="investigate")
    item = feedback_transition(actor=actor, item=item, name="propose_response", response=response)
    return feedback_transition(actor=actor, item=item, name="resolve")


def test_status_by_reference_and_email_ignores_case_and_spaces(client):
    item = _submitted(client)
    response = client.post(STATUS, {"reference": f" {item.reference.lower()} ", "email": "ADA@Example.ORG"})
    assert response.status_code == 200
    text = main_text(response)
    assert item.reference in text
    assert "Received" in text
    assert "Complaint" in text


def test_status_lookup_form_is_shown_on_get(client):
    response = client.get(STATUS)
    assert response.status_code == 200
    assert 'name="reference"' in response.content.decode()
    assert 'name="email"' in response.content.decode()


def test_status_lookup_with_missing_fields_names_them(client):
    response = client.post(STATUS, {"reference": "", "email": "nope"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"reference", "email"}


def test_status_by_the_emailed_token(client):
    item = _submitted(client)
    response = client.get(status_path(item))
    assert response.status_code == 200
    assert item.reference in main_text(response)


def test_status_of_a_contact_logged_by_staff_is_found_by_the_contacts_email(client, quality):
    from feedback.services import feedback_log

    contact = ContactFactory(email="phone.caller@acme.example")
    item = feedback_log(actor=quality, data={"summary": "Rang us", "description": "By phone", "contact": contact})
    response = client.post(STATUS, {"reference": item.reference, "email": "Phone.Caller@acme.example"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "case",
    ["wrong-email", "wrong-reference", "both-wrong", "another-persons-reference", "email-of-another-item"],
)
def test_a_wrong_pair_gets_the_same_message_whatever_was_wrong(client, case):
    mine = _submitted(client)
    other = _submitted(client, summary="Other", submitter_email="bea@example.org")
    reference, email = {
        "wrong-email": (mine.reference, "eve@example.org"),
        "wrong-reference": ("CMP-2026-99999", "ada@example.org"),
        "both-wrong": ("CMP-2026-99999", "eve@example.org"),
        "another-persons-reference": (other.reference, "ada@example.org"),
        "email-of-another-item": (mine.reference, "bea@example.org"),
    }[case]
    response = client.post(STATUS, {"reference": reference, "email": email})
    unknown_token = client.get(reverse("feedback_public:status_token", args=["no-such-token"]))
    assert response.status_code == unknown_token.status_code == 404
    assert not_found_message(response) == not_found_message(unknown_token) == public_views.NOT_FOUND_MESSAGE
    for item in (mine, other):
        assert item.reference not in not_found_message(response)
        assert item.summary not in main_text(response)


@pytest.mark.parametrize(
    ("page", "referrer_policy"),
    [
        ("lookup-found", "no-referrer"),
        ("token", "no-referrer"),
        ("thanks", "no-referrer"),
        # Pages with the look-up form: under no-referrer browsers post with "Origin: null" and the
        # CSRF check refuses it, so these keep same-origin (nothing of a record is on them).
        ("lookup-form", "same-origin"),
        ("lookup-not-found", "same-origin"),
        ("unknown-token", "same-origin"),
    ],
)
def test_status_pages_are_not_stored_indexed_or_referred(client, page, referrer_policy):
    item = _submitted(client)
    response = {
        "lookup-form": lambda: client.get(STATUS),
        "lookup-found": lambda: client.post(STATUS, {"reference": item.reference, "email": "ada@example.org"}),
        "lookup-not-found": lambda: client.post(STATUS, {"reference": item.reference, "email": "x@example.org"}),
        "token": lambda: client.get(status_path(item)),
        "unknown-token": lambda: client.get(reverse("feedback_public:status_token", args=["nope"])),
        "thanks": lambda: client.get(THANKS),
    }[page]()
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == referrer_policy


def test_the_lookup_form_posts_from_its_own_origin(client):
    """The browser sends the real Origin (not "null") only if the form page allows it."""
    item = _submitted(client)
    strict = Client(enforce_csrf_checks=True)
    strict.get(STATUS)
    token = strict.cookies["csrftoken"].value
    response = strict.post(
        STATUS,
        {"reference": item.reference, "email": "ada@example.org", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 200


def test_internal_fields_never_reach_the_status_page(client, quality, staff):
    item = _submitted(client)
    item = feedback_transition(actor=quality, item=item, name="acknowledge", comment="INTERNAL-COMMENT-1")
    item = feedback_update(
        actor=quality,
        item=item,
        data={
            "severity": "high",
            "impact": "INTERNAL-IMPACT",
            "root_cause_analysis": "INTERNAL-ANALYSIS",
            "containment": "INTERNAL-CONTAINMENT",
            "outcome_communicated": "INTERNAL-OUTCOME",
            "response": "DRAFT-RESPONSE",
            "assignee": staff,
        },
    )
    item = feedback_transition(actor=quality, item=item, name="investigate", comment="INTERNAL-COMMENT-2")
    item = feedback_transition(actor=quality, item=item, name="reject", comment="INTERNAL-REASON")
    assert FeedbackTransition.objects.filter(item=item, comment__startswith="INTERNAL").count() == 3
    page = client.get(status_path(item)).content.decode()
    for secret in ("INTERNAL", "DRAFT-RESPONSE", staff.username, staff.get_full_name(), staff.email, "High", "reject"):
        assert secret not in page, secret
    assert "Closed" in main_text(client.get(status_path(item)))


def test_the_response_is_shown_only_once_resolved(client, quality):
    item = _submitted(client)
    item = feedback_transition(actor=quality, item=item, name="acknowledge")
    text = main_text(client.get(status_path(item)))
    assert "Acknowledged, we are looking at it" in text
    assert "Acknowledged</dt>" in text
    item = feedback_update(actor=quality, item=item, data={"severity": "medium"})
    item = feedback_transition(actor=quality, item=item, name="investigate")
    assert "Being investigated" in main_text(client.get(status_path(item)))
    item = feedback_transition(actor=quality, item=item, name="propose_response", response="We replaced the parts.")
    text = main_text(client.get(status_path(item)))
    assert "Being investigated" in text
    assert "We replaced the parts." not in text
    item = feedback_transition(actor=quality, item=item, name="resolve")
    text = main_text(client.get(status_path(item)))
    assert "Answered" in text
    assert "We replaced the parts." in text
    assert "Answered</dt>" in text


def test_a_reopened_complaint_hides_the_response_being_revised(client, quality):
    item = _resolve(_submitted(client), quality)
    item = feedback_transition(actor=quality, item=item, name="reopen", comment="Customer called back")
    feedback_update(actor=quality, item=item, data={"response": "UNPUBLISHED-DRAFT"})
    text = main_text(client.get(status_path(item)))
    assert "Being investigated" in text
    assert "UNPUBLISHED-DRAFT" not in text


@pytest.mark.parametrize(
    ("status", "wording"),
    [
        ("received", "Received"),
        ("acknowledged", "Acknowledged, we are looking at it"),
        ("investigating", "Being investigated"),
        ("response_proposed", "Being investigated"),
        ("resolved", "Answered"),
        ("closed", "Closed"),
        ("withdrawn", "Closed"),
        ("rejected", "Closed"),
    ],
)
def test_each_state_is_told_in_the_customers_words(status, wording):
    assert public_views.customer_status(FeedbackItem(reference="CMP-1", status=status)).state == wording
    assert set(public_views.CUSTOMER_STATES) == set(FeedbackStatus.values)
