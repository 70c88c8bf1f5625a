"""The risk register's pages, per persona: who sees what, who may write, and what the pages show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qms.actions.models import Action
from qms.audit.models import AuditEntry
from risks import services
from risks.models import EffectivenessReview, RiskAssessment, RiskCategory, RiskEntry, RiskMatrix
from risks.tests.factories import RiskEntryFactory

pytestmark = pytest.mark.django_db

ROLES = ("anon", "quality", "management", "staff", "auditor", "admin")


def _user(personas, role):
    return None if role == "anon" else personas[role]


@pytest.fixture
def entry(personas):
    """A risk owned by staff, scored inherent 4×4 (high on the default matrix)."""
    quality = personas["quality"]
    risk = services.entry_create(
        actor=quality, data={"kind": "risk", "title": "Single supplier for housings", "owner": personas["staff"]}
    )
    services.entry_assess(actor=quality, entry=risk, kind="inherent", likelihood=4, impact=4)
    return RiskEntry.objects.get(pk=risk.pk)


@pytest.fixture
def category(personas):
    return services.category_save(actor=personas["quality"], category=None, data={"name": "Supply", "active": True})


def _urls(entry, category) -> dict[str, str]:
    matrix = services.active_matrix()
    return {
        "entry_list": reverse("risks:entry_list"),
        "entry_create": reverse("risks:entry_create"),
        "entry_detail": reverse("risks:entry_detail", args=[entry.pk]),
        "entry_update": reverse("risks:entry_update", args=[entry.pk]),
        "treatment_action_create": reverse("risks:treatment_action_create", args=[entry.pk]),
        "heat_map": reverse("risks:heat_map"),
        "matrix_detail": reverse("risks:matrix_detail", args=[matrix.pk]),
        "matrix_edit": reverse("risks:matrix_edit"),
        "category_list": reverse("risks:category_list"),
        "category_create": reverse("risks:category_create"),
        "category_update": reverse("risks:category_update", args=[category.pk]),
        "category_delete": reverse("risks:category_delete", args=[category.pk]),
    }


# GET status of every page per role (the entry is owned by staff).
EXPECTED = {
    "entry_list": {"quality": 200, "management": 200, "staff": 200, "auditor": 200, "admin": 200},
    "entry_create": {"quality": 200, "management": 403, "staff": 200, "auditor": 403, "admin": 200},
    "entry_detail": {"quality": 200, "management": 200, "staff": 200, "auditor": 200, "admin": 200},
    "entry_update": {"quality": 200, "management": 403, "staff": 200, "auditor": 403, "admin": 200},
    # Raising an action needs the actions register's add permission (quality managers).
    # The sample entry is owned by the staff persona, who plans its treatment.
    "treatment_action_create": {"quality": 200, "management": 403, "staff": 200, "auditor": 403, "admin": 200},
    "heat_map": {"quality": 200, "management": 200, "staff": 200, "auditor": 200, "admin": 200},
    "matrix_detail": {"quality": 200, "management": 200, "staff": 200, "auditor": 200, "admin": 200},
    "matrix_edit": {"quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200},
    "category_list": {"quality": 200, "management": 200, "staff": 200, "auditor": 200, "admin": 200},
    "category_create": {"quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200},
    "category_update": {"quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200},
    "category_delete": {"quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200},
}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_permissions_say(role, personas, client_for, entry, category):
    client = client_for(_user(personas, role))
    for name, url in _urls(entry, category).items():
        response = client.get(url)
        if role == "anon":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        else:
            assert response.status_code == EXPECTED[name][role], (name, response.status_code)


@pytest.mark.parametrize("name", ["entry_detail", "entry_update", "entry_assess", "entry_step", "category_update"])
def test_unknown_ids_are_404(name, quality, client_for):
    client = client_for(quality)
    url = reverse(f"risks:{name}", args=[99999])
    response = client.post(url, {}) if name in ("entry_assess", "entry_step") else client.get(url)
    assert response.status_code == 404


def test_unknown_matrix_version_is_404(quality, client_for):
    assert client_for(quality).get(reverse("risks:matrix_detail", args=[99999])).status_code == 404


# The list -----------------------------------------------------------------------------------------


def test_list_shows_band_badges_with_their_name_and_colour(quality, client_for, entry):
    body = client_for(quality).get(reverse("risks:entry_list")).content.decode()
    assert entry.reference in body
    assert 'data-band="high"' in body and "High (16)" in body
    assert "Not scored" in body  # the residual


def test_empty_list_invites_to_add(quality, client_for):
    body = client_for(quality).get(reverse("risks:entry_list")).content.decode()
    assert "Add a risk or opportunity" in body


def test_list_filters_by_search_and_kind(quality, client_for, entry):
    services.entry_create(actor=quality, data={"kind": "opportunity", "title": "Portal certificates"})
    client = client_for(quality)
    kinds = client.get(reverse("risks:entry_list"), {"kind": "opportunity"}).context["object_list"]
    assert [e.title for e in kinds] == ["Portal certificates"]
    found = client.get(reverse("risks:entry_list"), {"q": "housings"}).context["object_list"]
    assert [e.pk for e in found] == [entry.pk]


def test_list_exports_csv_for_auditor_and_refuses_staff(auditor, staff, client_for, entry):
    response = client_for(auditor).get(reverse("risks:entry_list"), {"export": "csv"})
    assert response.status_code == 200 and entry.reference in b"".join(response.streaming_content).decode()
    assert client_for(staff).get(reverse("risks:entry_list"), {"export": "csv"}).status_code == 403


def test_list_exports_xlsx(quality, client_for, entry):
    response = client_for(quality).get(reverse("risks:entry_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


def test_list_sorts_by_residual(quality, client_for, entry):
    response = client_for(quality).get(reverse("risks:entry_list"), {"sort": "residual_score"})
    assert response.context["current_sort"] == "residual_score"


def test_list_cell_filter_shows_only_that_cell(quality, client_for, entry):
    other = services.entry_create(actor=quality, data={"kind": "risk", "title": "Other"})
    services.entry_assess(actor=quality, entry=other, kind="inherent", likelihood=2, impact=2)
    client = client_for(quality)
    params = {"kind": "risk", "which": "inherent", "likelihood": 4, "impact": 4}
    listed = client.get(reverse("risks:entry_list"), params).context["object_list"]
    assert [e.pk for e in listed] == [entry.pk]
    # Nonsense cell parameters are ignored rather than failing.
    assert client.get(reverse("risks:entry_list"), {"which": "x", "likelihood": "a"}).status_code == 200


def test_list_queries_stay_constant_with_more_rows(quality, client_for, entry, django_assert_max_num_queries):
    client = client_for(quality)
    client.get(reverse("risks:entry_list"))
    with django_assert_max_num_queries(14):
        client.get(reverse("risks:entry_list"))
    for n in range(8):
        services.entry_create(actor=quality, data={"kind": "risk", "title": f"More {n}"})
    with django_assert_max_num_queries(14):
        response = client.get(reverse("risks:entry_list"))
    assert len(response.context["object_list"]) == 9


# Create and edit -----------------------------------------------------------------------------------


def test_quality_manager_creates_an_entry_with_an_owner(quality, staff, client_for, category):
    response = client_for(quality).post(
        reverse("risks:entry_create"),
        {
            "kind": "risk",
            "title": "Late certificates",
            "source": "process",
            "owner": staff.pk,
            "category": category.pk,
            "review_frequency_months": 6,
        },
    )
    created = RiskEntry.objects.get(title="Late certificates")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.owner == staff and created.reference.startswith("RSK-")
    assert AuditEntry.objects.for_object(created).filter(action="create").count() == 1


def test_staff_proposes_and_the_entry_starts_identified(staff, client_for):
    client = client_for(staff)
    page = client.get(reverse("risks:entry_create"))
    assert "owner" not in page.context["form"].fields and b"Propose" in page.content
    response = client.post(
        reverse("risks:entry_create"), {"kind": "opportunity", "title": "Portal for certificates", "source": "other"}
    )
    assert response.status_code == 302
    proposed = RiskEntry.objects.get(title="Portal for certificates")
    assert proposed.status == "identified" and proposed.proposed_by == staff and proposed.reference.startswith("OPP-")


def test_create_without_title_is_400_and_keeps_input(quality, client_for):
    response = client_for(quality).post(
        reverse("risks:entry_create"), {"kind": "risk", "title": "", "description": "kept text", "source": "process"}
    )
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert b"kept text" in response.content
    assert not RiskEntry.objects.exists()


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_cannot_create(role, personas, client_for):
    response = client_for(personas[role]).post(reverse("risks:entry_create"), {"kind": "risk", "title": "X"})
    assert response.status_code == 403
    assert not RiskEntry.objects.exists()


def test_owner_edits_own_entry_but_cannot_hand_it_over(staff, quality, client_for, entry):
    response = client_for(staff).post(
        reverse("risks:entry_update", args=[entry.pk]),
        {"title": "Renamed", "source": "process", "owner": quality.pk, "review_frequency_months": 6},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Renamed" and entry.owner == staff


def test_staff_cannot_edit_someone_elses_entry(staff, quality, client_for):
    other = services.entry_create(actor=quality, data={"kind": "risk", "title": "Quality's own"})
    assert client_for(staff).get(reverse("risks:entry_update", args=[other.pk])).status_code == 403
    assert client_for(staff).post(reverse("risks:entry_update", args=[other.pk]), {"title": "x"}).status_code == 403


# Detail, scoring and steps -------------------------------------------------------------------------


def test_detail_shows_scores_steps_and_history(staff, client_for, entry, django_assert_max_num_queries):
    client = client_for(staff)
    client.get(entry.get_absolute_url())
    with django_assert_max_num_queries(30):
        response = client.get(entry.get_absolute_url())
    body = response.content.decode()
    assert "High (16)" in body and 'id="score-chart"' in body and 'id="score-table"' in body
    assert [form.step.name for form in response.context["step_forms"]] == ["start_treatment", "accept"]
    assert "History" in body


def test_detail_lists_linked_records_the_user_may_see(quality, staff, client_for, entry):
    from customers.tests.factories import CustomerFactory
    from feedback.tests.factories import FeedbackItemFactory
    from requirements.tests.factories import RequirementFactory

    requirement = RequirementFactory(title="Supplier audits")
    customer = CustomerFactory(name="Linked Co", code="LNK-1")
    item = FeedbackItemFactory(summary="Housing cracked")  # not staff's: out of their scope
    entry.requirements.add(requirement)
    entry.customers.add(customer)
    entry.feedback_items.add(item)
    sections = dict(client_for(quality).get(entry.get_absolute_url()).context["linked_sections"])
    assert [(r.reference, r.text, r.url) for r in sections["Requirements"]] == [
        (requirement.reference, "Supplier audits", requirement.get_absolute_url())
    ]
    assert [(r.reference, r.text, r.url) for r in sections["Customers"]] == [
        ("LNK-1", "Linked Co", customer.get_absolute_url())
    ]
    assert [(r.reference, r.url) for r in sections["Feedback"]] == [(item.reference, item.get_absolute_url())]
    response = client_for(staff).get(entry.get_absolute_url())
    sections = dict(response.context["linked_sections"])
    assert len(sections["Requirements"]) == 1 and len(sections["Customers"]) == 1 and sections["Feedback"] == []
    assert "Housing cracked" not in response.content.decode()


def test_readers_see_no_forms_on_detail(management, auditor, client_for, entry):
    for user in (management, auditor):
        response = client_for(user).get(entry.get_absolute_url())
        assert response.context["step_forms"] == [] and not response.context["may_assess"]
        assert b"Add treatment action" not in response.content


def test_owner_scores_residual_and_it_is_kept(staff, client_for, entry):
    response = client_for(staff).post(
        reverse("risks:entry_assess", args=[entry.pk]), {"kind": "residual", "likelihood": 2, "impact": 2, "note": ""}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.residual_score, entry.residual_band) == (4, "low")
    assert RiskAssessment.objects.filter(entry=entry).count() == 2


def test_score_outside_the_matrix_is_400_naming_the_field(staff, client_for, entry):
    response = client_for(staff).post(
        reverse("risks:entry_assess", args=[entry.pk]), {"kind": "residual", "likelihood": 9, "impact": 2}
    )
    assert response.status_code == 400
    assert "likelihood" in response.context["assess_form"].errors
    assert RiskAssessment.objects.filter(entry=entry).count() == 1


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_cannot_score(role, personas, client_for, entry):
    response = client_for(personas[role]).post(
        reverse("risks:entry_assess", args=[entry.pk]), {"kind": "residual", "likelihood": 1, "impact": 1}
    )
    assert response.status_code == 403


def test_start_treatment_step_moves_to_treating(staff, client_for, entry):
    response = client_for(staff).post(
        reverse("risks:entry_step", args=[entry.pk]), {"step": "start_treatment", "treatment_option": "reduce"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.treatment_option) == ("treating", "reduce")


def test_accept_without_reason_is_400_keeping_the_form_open(staff, client_for, entry):
    response = client_for(staff).post(reverse("risks:entry_step", args=[entry.pk]), {"step": "accept", "comment": ""})
    assert response.status_code == 400
    assert response.context["failed_name"] == "accept"
    entry.refresh_from_db()
    assert entry.accepted_at is None


def test_staff_may_not_close(staff, client_for, entry):
    response = client_for(staff).post(reverse("risks:entry_step", args=[entry.pk]), {"step": "close", "comment": "x"})
    assert response.status_code == 403


def test_step_from_wrong_status_is_400(quality, client_for, entry):
    response = client_for(quality).post(
        reverse("risks:entry_step", args=[entry.pk]), {"step": "reopen", "comment": "why"}
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.status == "assessed"


def test_critical_acceptance_waits_for_management_approval(quality, management, client_for):
    risk = services.entry_create(actor=quality, data={"kind": "risk", "title": "Critical one"})
    services.entry_assess(actor=quality, entry=risk, kind="inherent", likelihood=5, impact=5)
    client_for(quality).post(reverse("risks:entry_step", args=[risk.pk]), {"step": "accept", "comment": "Cheap"})
    risk.refresh_from_db()
    assert risk.approval_required and risk.status == "assessed"
    page = client_for(management).get(risk.get_absolute_url())
    assert [form.step.name for form in page.context["step_forms"]] == ["approve"]
    response = client_for(management).post(reverse("risks:entry_step", args=[risk.pk]), {"step": "approve"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == "monitoring" and risk.approved_by == management


def test_treatment_action_is_raised_from_the_entry(quality, staff, client_for, entry):
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client_for(quality).post(
        reverse("risks:treatment_action_create", args=[entry.pk]),
        {"title": "Second supplier", "owner": staff.pk, "due_date": due},
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Second supplier")
    assert action.source == entry
    assert b"Second supplier" in client_for(staff).get(entry.get_absolute_url()).content


def test_the_owner_on_staff_plans_treatment_from_the_entry_page(staff, client_for, entry):
    mine = entry  # owned by staff
    page = client_for(staff).get(mine.get_absolute_url())
    assert page.context["may_add_action"]
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client_for(staff).post(
        reverse("risks:treatment_action_create", args=[mine.pk]),
        {"title": "Ask for a second quote", "owner": staff.pk, "due_date": due},
    )
    assert response.status_code == 302
    assert Action.objects.get(title="Ask for a second quote").source == mine


def test_treatment_action_without_due_date_is_400(quality, staff, client_for, entry):
    response = client_for(quality).post(
        reverse("risks:treatment_action_create", args=[entry.pk]), {"title": "X", "owner": staff.pk}
    )
    assert response.status_code == 400 and "due_date" in response.context["form"].errors


def test_effectiveness_review_moves_to_monitoring(quality, client_for, entry):
    services.entry_step(actor=quality, entry=entry, name="start_treatment", treatment_option="reduce")
    services.entry_assess(actor=quality, entry=entry, kind="residual", likelihood=2, impact=2)
    response = client_for(quality).post(
        reverse("risks:entry_step", args=[entry.pk]),
        {"step": "review_effectiveness", "target_reached": "yes", "comment": "Second supplier qualified."},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "monitoring"
    assert EffectivenessReview.objects.get(entry=entry).target_reached is True


# Heat map -----------------------------------------------------------------------------------------


def _cell(grid, likelihood, impact):
    row = next(row for row in grid["rows"] if row["level"] == likelihood)
    return next(cell for cell in row["cells"] if cell["impact"] == impact)


def test_heat_map_counts_and_links_cells(staff, client_for, entry, django_assert_max_num_queries):
    client = client_for(staff)
    client.get(reverse("risks:heat_map"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("risks:heat_map"))
    inherent, residual = response.context["maps"]
    cell = _cell(inherent, 4, 4)
    assert cell["count"] == 1 and cell["band"] == "high"
    assert _cell(residual, 4, 4)["count"] == 0
    body = response.content.decode()
    assert "High · 16" in body  # the band in text, not only its colour
    listed = client.get(cell["url"]).context["object_list"]
    assert [e.pk for e in listed] == [entry.pk]
    assert [e.pk for e in response.context["top_risks"]] == [entry.pk]


def test_heat_map_residual_moves_after_treatment(quality, client_for, entry):
    services.entry_assess(actor=quality, entry=entry, kind="residual", likelihood=2, impact=2)
    _, residual = client_for(quality).get(reverse("risks:heat_map")).context["maps"]
    assert _cell(residual, 2, 2)["count"] == 1 and _cell(residual, 2, 2)["band"] == "low"


def test_heat_map_opportunities_tab(quality, client_for, entry):
    opportunity = services.entry_create(actor=quality, data={"kind": "opportunity", "title": "Portal"})
    services.entry_assess(actor=quality, entry=opportunity, kind="inherent", likelihood=3, impact=3)
    response = client_for(quality).get(reverse("risks:heat_map"), {"kind": "opportunity"})
    inherent, _ = response.context["maps"]
    assert _cell(inherent, 3, 3)["count"] == 1 and _cell(inherent, 4, 4)["count"] == 0
    assert "kind=opportunity" in _cell(inherent, 3, 3)["url"]


def test_heat_map_reads_the_stored_roll_up_and_says_how_old_it_is(quality, client_for, entry):
    from qms.core.models import Rollup
    from qms.core.rollups import refresh_all
    from risks.rollups import HEAT_MAP

    client = client_for(quality)
    first = client.get(reverse("risks:heat_map"))
    assert first.context["counted"] is not None and "Counted " in first.content.decode()
    assert _cell(first.context["maps"][0], 4, 4)["count"] == 1
    assert first.context["per_band"]["high"] == 1
    # A second entry is not on the map until the job counts again (at most ROLLUP_REFRESH_SECONDS later).
    second = services.entry_create(actor=quality, data={"kind": "risk", "title": "Second supplier"})
    services.entry_assess(actor=quality, entry=second, kind="inherent", likelihood=4, impact=4)
    assert _cell(client.get(reverse("risks:heat_map")).context["maps"][0], 4, 4)["count"] == 1
    assert HEAT_MAP in refresh_all()
    again = client.get(reverse("risks:heat_map"))
    assert _cell(again.context["maps"][0], 4, 4)["count"] == 2
    assert again.context["per_band"]["high"] == 2
    assert Rollup.objects.get(key=HEAT_MAP).data["kinds"]["risk"]["per_band"]["high"] == 2


def test_heat_map_counts_live_when_entries_are_restricted_per_user(monkeypatch, quality, client_for, entry):
    def only_own(queryset, user, action):
        return queryset.filter(owner=user)

    monkeypatch.setattr(RiskEntry, "restrict_rows", staticmethod(only_own), raising=False)
    response = client_for(quality).get(reverse("risks:heat_map"))
    assert response.context["counted"] is None and "Counted " not in response.content.decode()
    # The only entry is staff's: the quality manager's map, counted for them, is empty.
    assert _cell(response.context["maps"][0], 4, 4)["count"] == 0
    assert response.context["per_band"]["high"] == 0


def test_heat_map_lists_overdue_reviews(quality, client_for, entry):
    RiskEntry.objects.filter(pk=entry.pk).update(next_review_date=timezone.localdate() - dt.timedelta(days=3))
    response = client_for(quality).get(reverse("risks:heat_map"))
    assert [e.pk for e in response.context["overdue"]] == [entry.pk]
    assert response.context["overdue_count"] == 1


def test_heat_map_shows_the_ten_most_overdue_reviews_and_counts_them_all(quality, client_for):
    today = timezone.localdate()
    entries = [RiskEntryFactory(next_review_date=today - dt.timedelta(days=days)) for days in range(1, 13)]
    RiskEntryFactory(next_review_date=today - dt.timedelta(days=40), status="closed")
    RiskEntryFactory(next_review_date=today + dt.timedelta(days=1))
    response = client_for(quality).get(reverse("risks:heat_map"))
    assert [e.pk for e in response.context["overdue"]] == [e.pk for e in reversed(entries)][:10]
    assert response.context["overdue_count"] == 12
    assert "The 10 most overdue; <a" in response.content.decode() and "see all 12" in response.content.decode()


# Matrix -------------------------------------------------------------------------------------------


def _matrix_post(matrix: RiskMatrix, **changes) -> dict:
    from risks.forms import MatrixForm

    rows, columns = matrix.size
    data = {"rows": rows, "columns": columns, **MatrixForm.initial_for(matrix, rows, columns)}
    data = {key: value for key, value in data.items() if value not in (False, None)}
    data.update(changes)
    return data


def test_matrix_edit_makes_the_next_version(quality, client_for):
    current = services.active_matrix()
    response = client_for(quality).post(reverse("risks:matrix_edit"), _matrix_post(current, likelihood_1="Very rare"))
    new = RiskMatrix.objects.get(active=True)
    assert response.status_code == 302 and new.version == current.version + 1
    assert new.likelihood_levels[0]["label"] == "Very rare"
    current.refresh_from_db()
    assert current.likelihood_levels[0]["label"] != "Very rare"


def test_matrix_edit_resizes_to_three_by_three(quality, client_for):
    client = client_for(quality)
    page = client.get(reverse("risks:matrix_edit"), {"likelihood": 3, "impact": 3})
    assert (page.context["rows"], page.context["columns"]) == (3, 3)
    form = page.context["form"]
    data = {"rows": 3, "columns": 3}
    data.update({k: v for k, v in form.initial.items() if v not in (False, None)})
    data.update({"low_used": "on", "low_min": 0, "low_max": 25})
    data.pop("medium_used", None), data.pop("high_used", None), data.pop("critical_used", None)
    response = client.post(reverse("risks:matrix_edit"), data)
    assert response.status_code == 302
    assert RiskMatrix.objects.get(active=True).size == (3, 3)


def test_matrix_edit_with_a_gap_in_the_bands_is_400_and_keeps_input(quality, client_for):
    current = services.active_matrix()
    response = client_for(quality).post(
        reverse("risks:matrix_edit"), _matrix_post(current, low_max=2, name="Kept name")
    )
    assert response.status_code == 400
    assert "bands" in response.context["section_errors"]
    assert b"Kept name" in response.content
    assert RiskMatrix.objects.get(active=True).pk == current.pk


def test_matrix_edit_refused_to_staff(staff, client_for):
    current = services.active_matrix()
    assert client_for(staff).post(reverse("risks:matrix_edit"), _matrix_post(current)).status_code == 403


def test_matrix_detail_shows_grid_bands_and_versions(auditor, client_for):
    response = client_for(auditor).get(reverse("risks:matrix_detail"))
    body = response.content.decode()
    assert response.status_code == 200 and "Versions" in body and "Critical" in body
    assert b"Edit the matrix" not in response.content


# Categories ---------------------------------------------------------------------------------------


def test_category_create_update_and_delete_with_confirmation(quality, client_for):
    client = client_for(quality)
    assert client.post(reverse("risks:category_create"), {"name": "Supply", "active": "on"}).status_code == 302
    category = RiskCategory.objects.get(name="Supply")
    client.post(reverse("risks:category_update", args=[category.pk]), {"name": "Suppliers", "active": "on"})
    category.refresh_from_db()
    assert category.name == "Suppliers"
    confirm = client.get(reverse("risks:category_delete", args=[category.pk]))
    assert b"Yes, delete" in confirm.content
    client.post(reverse("risks:category_delete", args=[category.pk]))
    assert not RiskCategory.objects.filter(pk=category.pk).exists()


def test_category_in_use_is_not_deleted(quality, client_for, category):
    services.entry_create(actor=quality, data={"kind": "risk", "title": "Filed", "category": category})
    response = client_for(quality).post(reverse("risks:category_delete", args=[category.pk]))
    assert response.status_code == 302
    assert RiskCategory.objects.filter(pk=category.pk).exists()


def test_duplicate_category_is_400(quality, client_for, category):
    response = client_for(quality).post(reverse("risks:category_create"), {"name": "Supply", "active": "on"})
    assert response.status_code == 400 and "name" in response.context["form"].errors


# Home ---------------------------------------------------------------------------------------------


def test_home_shows_owner_reviews_and_approvals(staff, management, client_for, entry):
    RiskEntry.objects.filter(pk=entry.pk).update(next_review_date=timezone.localdate())
    staff_home = client_for(staff).get("/").context["sections"]["figures"]
    assert any(f["label"] == "Your risks and opportunities due for review" and f["value"] == 1 for f in staff_home)
    labels = [figure["label"] for figure in client_for(management).get("/").context["sections"]["figures"]]
    assert "Risk acceptances waiting for approval" in labels


def test_home_counts_only_the_owners_open_reviews_due_and_the_acceptances_waiting(
    staff, quality, management, client_for
):
    today, now = timezone.localdate(), timezone.now()
    for days, status, owner in ((-3, "assessed", staff), (14, "treating", staff), (15, "assessed", staff)):
        RiskEntryFactory(owner=owner, status=status, next_review_date=today + dt.timedelta(days=days))
    RiskEntryFactory(owner=staff, status="closed", next_review_date=today)
    RiskEntryFactory(owner=quality, status="assessed", next_review_date=today)
    waiting = {"approval_required": True, "accepted_at": now, "status": "monitoring"}
    RiskEntryFactory(**waiting)
    RiskEntryFactory(**waiting, approved_at=now)
    RiskEntryFactory(**{**waiting, "status": "closed"})
    RiskEntryFactory(approval_required=True, status="monitoring")

    def figures(user):
        return {f["label"]: f["value"] for f in client_for(user).get("/").context["sections"]["figures"]}

    assert figures(staff)["Your risks and opportunities due for review"] == 2
    assert figures(management)["Risk acceptances waiting for approval"] == 1


def test_demo_seeder_is_idempotent(quality, staff):
    from risks.demo import seed_risks

    first = seed_risks()
    count = RiskEntry.objects.count()
    second = seed_risks()
    assert count == 5 and RiskEntry.objects.count() == count
    assert "5" in first and "0" in second
    assert RiskEntry.objects.filter(status="treating").count() == 1
