"""Lookups: selects that render only the chosen records, and the search behind them."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer
from customers.tests.factories import ContactFactory, CustomerFactory
from feedback.filters import FeedbackItemFilterSet
from feedback.tests.factories import FeedbackItemFactory
from qms.core.lookups import RESULTS_PER_LOOKUP, LookupSelect, use_lookup
from risks.forms import RiskEntryForm

pytestmark = pytest.mark.django_db


class PickOne(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.order_by("name"), empty_label="Nobody")


class PickMany(forms.Form):
    customers = forms.ModelMultipleChoiceField(queryset=Customer.objects.order_by("name"), required=False)


def _options(html: str) -> int:
    return html.count("<option")


def test_a_lookup_select_renders_only_the_empty_choice_until_something_is_chosen():
    CustomerFactory.create_batch(30)
    form = PickOne()
    use_lookup(form.fields["customer"], "customers")
    html = str(form["customer"])
    assert _options(html) == 1 and ">Nobody</option>" in html
    assert f'data-lookup-url="{reverse("lookup", args=["customers"])}"' in html


def test_the_chosen_record_is_rendered_selected_and_no_other():
    chosen, *_ = CustomerFactory.create_batch(30)
    form = PickOne(data={"customer": chosen.pk})
    use_lookup(form.fields["customer"], "customers")
    html = str(form["customer"])
    assert _options(html) == 2
    assert f'<option value="{chosen.pk}" selected>{chosen}</option>' in html


def test_a_multiple_lookup_renders_every_chosen_record_and_no_empty_choice():
    first, second, *_ = CustomerFactory.create_batch(10)
    form = PickMany(data={"customers": [first.pk, second.pk]})
    use_lookup(form.fields["customers"], "customers")
    html = str(form["customers"])
    assert _options(html) == 2 and "multiple" in html
    assert f'value="{first.pk}" selected' in html and f'value="{second.pk}" selected' in html


def test_garbage_in_a_lookup_is_refused_by_the_field_and_the_page_still_renders():
    CustomerFactory()
    form = PickOne(data={"customer": "not-a-number"})
    use_lookup(form.fields["customer"], "customers")
    assert not form.is_valid()
    assert "customer" in form.errors
    assert _options(str(form["customer"])) == 1


def test_a_record_not_offered_by_the_field_is_still_refused():
    hidden = CustomerFactory(name="Hidden")

    class OnlyOthers(forms.Form):
        customer = forms.ModelChoiceField(queryset=Customer.objects.exclude(pk=hidden.pk))

    form = OnlyOthers(data={"customer": hidden.pk})
    use_lookup(form.fields["customer"], "customers")
    assert not form.is_valid() and "customer" in form.errors


def test_unknown_lookup_sources_are_a_programming_error():
    with pytest.raises(ValueError, match="Unknown lookup"):
        LookupSelect("planets")


def test_the_feedback_filter_renders_one_customer_option_however_many_customers_exist(rf, quality):
    CustomerFactory.create_batch(50)
    request = rf.get("/feedback/")
    request.user = quality
    html = str(FeedbackItemFilterSet(request.GET, request=request).form["customer"])
    assert _options(html) == 1 and "Any customer" in html


def test_the_risk_form_offers_customers_requirements_and_complaints_by_lookup(quality):
    FeedbackItemFactory.create_batch(5)
    form = RiskEntryForm(user=quality)
    for name, source in (("customers", "customers"), ("requirements", "requirements"), ("feedback_items", "feedback")):
        html = str(form[name])
        assert _options(html) == 0
        assert reverse("lookup", args=[source]) in html


def test_lookup_finds_customers_by_name_or_code(client, quality):
    CustomerFactory(name="Acme Widgets", code="ACME-01")
    CustomerFactory(name="Bolt Supplies", code="BOLT-01")
    CustomerFactory(name="Widget World", code="WW-01")
    client.force_login(quality)
    url = reverse("lookup", args=["customers"])

    by_name = client.get(url, {"q": "widget"}).json()
    assert [row["text"] for row in by_name["results"]] == ["Acme Widgets (ACME-01)", "Widget World (WW-01)"]
    assert by_name["more"] is False
    by_code = client.get(url, {"q": "bolt-"}).json()
    assert [row["text"] for row in by_code["results"]] == ["Bolt Supplies (BOLT-01)"]
    assert client.get(url, {"q": "nothing like it"}).json() == {"results": [], "more": False}


def test_lookup_returns_a_page_of_results_and_says_there_are_more(client, quality):
    CustomerFactory.create_batch(RESULTS_PER_LOOKUP + 5)
    client.force_login(quality)
    body = client.get(reverse("lookup", args=["customers"])).json()
    assert len(body["results"]) == RESULTS_PER_LOOKUP and body["more"] is True
    names = [row["text"] for row in body["results"]]
    assert names == sorted(names)


def test_contact_lookup_labels_contacts_with_their_customer(client, staff):
    contact = ContactFactory(name="Dana Buyer", customer=CustomerFactory(name="Acme"))
    client.force_login(staff)
    body = client.get(reverse("lookup", args=["contacts"]), {"q": "acme"}).json()
    assert body["results"] == [{"id": str(contact.pk), "text": "Dana Buyer (Acme)"}]


def test_lookup_shows_staff_only_the_complaints_they_may_see(client, staff):
    mine = FeedbackItemFactory(logged_by=staff, summary="Mine: late")
    FeedbackItemFactory(summary="Theirs: late")
    client.force_login(staff)
    body = client.get(reverse("lookup", args=["feedback"]), {"q": "late"}).json()
    assert [row["id"] for row in body["results"]] == [str(mine.pk)]


def test_lookup_refuses_what_the_user_may_not_view(client):
    nobody = get_user_model().objects.create_user("norole", password="pw-norole-123456")
    CustomerFactory()
    client.force_login(nobody)
    response = client.get(reverse("lookup", args=["customers"]))
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not look these records up."}


def test_lookup_is_for_signed_in_users_and_known_sources(client, quality):
    response = client.get(reverse("lookup", args=["customers"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(quality)
    assert client.get(reverse("lookup", args=["planets"])).status_code == 404


def test_lookup_queries_do_not_grow_with_the_results(client, quality, django_assert_max_num_queries):
    ContactFactory.create_batch(RESULTS_PER_LOOKUP + 3)
    client.force_login(quality)
    client.get(reverse("lookup", args=["contacts"]))  # the session and permissions, once
    with django_assert_max_num_queries(4):
        body = client.get(reverse("lookup", args=["contacts"])).json()
    assert len(body["results"]) == RESULTS_PER_LOOKUP


def test_rendering_a_chosen_record_costs_one_query(quality):
    chosen = CustomerFactory()
    CustomerFactory.create_batch(20)
    form = PickOne(data={"customer": chosen.pk})
    use_lookup(form.fields["customer"], "customers")
    assert form.is_valid()  # validation reads the chosen row once, as any model choice field does

    with CaptureQueriesContext(connection) as queries:
        str(form["customer"])
    assert len(queries.captured_queries) == 1


def test_people_are_found_by_name_and_only_while_they_can_sign_in(client, quality, staff):
    users = get_user_model()
    users.objects.create_user("dana", first_name="Dana", last_name="Quist", email="dana@example.com")
    users.objects.create_user("gone", first_name="Quentin", last_name="Left", is_active=False)
    client.force_login(quality)
    found = client.get(reverse("lookup", args=["people"]), {"q": "Q"}).json()["results"]
    texts = [row["text"] for row in found]
    assert "Dana Quist (dana)" in texts and "Quality Tester (quality)" in texts
    assert not any("Quentin" in text for text in texts)
    client.force_login(staff)  # staff may not list the organisation's people
    assert client.get(reverse("lookup", args=["people"]), {"q": "Q"}).status_code == 403


def test_the_evaluation_form_offers_action_owners_by_lookup(client, quality):
    from requirements.tests.factories import RequirementFactory

    requirement = RequirementFactory(owner=quality)
    client.force_login(quality)
    html = client.get(requirement.get_absolute_url()).content.decode()
    owner_select = html[
        html.index('name="action_owner"') - 200 : html.index("</select>", html.index('name="action_owner"'))
    ]
    assert f'data-lookup-url="{reverse("lookup", args=["people"])}"' in owner_select
    assert "Quality Tester" not in owner_select  # only the empty choice until someone is searched for
