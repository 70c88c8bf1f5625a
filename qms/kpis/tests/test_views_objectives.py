"""Quality objective pages per persona: list with derived statuses, detail with measures and plan, forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.audit.models import AuditEntry
from qms.kpis.models import Objective, ObjectiveKpi
from qms.kpis.periods import add_periods, period_start

from .conftest import ROLES
from .factories import KpiFactory, KpiValueFactory, ObjectiveFactory, ObjectiveKpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(staff, staff_kpi):
    """Owned by staff, measured by staff's KPI whose latest value (80 against 95) is red."""
    objective = ObjectiveFactory(reference="OBJ-0100", statement="Deliver on time, every time", owner=staff)
    ObjectiveKpiFactory(objective=objective, kpi=staff_kpi)
    KpiValueFactory(kpi=staff_kpi, period_start=add_periods(period_start(timezone.localdate()), -1), value=80)
    return objective


def _form(owner, *measures, **overrides) -> dict:
    data = {
        "statement": "Halve complaints about late deliveries",
        "owner": owner.pk,
        "target_date": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
        "status_override": "",
        "override_reason": "",
        "measures-TOTAL_FORMS": "3",
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": "50",
    }
    for index, (kpi, target) in enumerate(measures):
        data[f"measures-{index}-kpi"] = kpi.pk
        data[f"measures-{index}-target"] = target
    data.update(overrides)
    return data


GET_EXPECTED = {
    "objective_list": {"anon": 302, "quality": 200, "management": 200, "staff": 200, "auditor": 200},
    "objective_create": {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403},
    "objective_detail": {"anon": 302, "quality": 200, "management": 200, "staff": 200, "auditor": 200},
    "objective_update": {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403},
    "objective_delete": {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(GET_EXPECTED))
def test_get_status_per_persona(client_for, user_for, objective, name, role):
    args = [] if name in ("objective_list", "objective_create") else [objective.pk]
    response = client_for(user_for(role)).get(reverse(f"kpis:{name}", args=args))
    assert response.status_code == GET_EXPECTED[name][role]


@pytest.mark.parametrize("role", ["anon", "management", "staff", "auditor"])
def test_writes_refused_to_all_but_quality_managers(client_for, user_for, objective, staff_kpi, role):
    client = client_for(user_for(role))
    owner = user_for("staff")
    created = client.post(reverse("kpis:objective_create"), _form(owner, (staff_kpi, "")))
    updated = client.post(reverse("kpis:objective_update", args=[objective.pk]), _form(owner, statement="Changed"))
    deleted = client.post(reverse("kpis:objective_delete", args=[objective.pk]))
    expected = 302 if role == "anon" else 403
    assert (created.status_code, updated.status_code, deleted.status_code) == (expected, expected, expected)
    assert Objective.objects.count() == 1
    assert Objective.objects.get().statement == "Deliver on time, every time"


# The list -------------------------------------------------------------------------------------------


def test_list_shows_reference_statement_owner_date_status_and_kpi_count(client_for, auditor, objective):
    content = client_for(auditor).get(reverse("kpis:objective_list")).content.decode()
    for text in ("OBJ-0100", "Deliver on time, every time", objective.owner.display_name, "Off track", ">1</td>"):
        assert text in content
    assert "New objective" not in content
    assert "Objectives" in content and "Dashboard" in content
    assert "Import values" not in content  # auditors enter nothing


def test_list_shows_a_hand_set_status_as_such(client_for, quality, objective):
    objective.status_override, objective.override_reason = "on_track", "Recovery plan agreed"
    objective.save()
    content = client_for(quality).get(reverse("kpis:objective_list")).content.decode()
    assert "On track" in content and "(set by hand)" in content
    detail = client_for(quality).get(reverse("kpis:objective_detail", args=[objective.pk])).content.decode()
    assert "the KPIs alone say “off track”" in detail and "Recovery plan agreed" in detail


def test_list_filters_by_derived_status_and_searches(client_for, quality, objective):
    ObjectiveFactory(reference="OBJ-0200", statement="Answer every survey comment")
    client = client_for(quality)
    off = client.get(reverse("kpis:objective_list"), {"status": "off_track"}).content.decode()
    assert "OBJ-0100" in off and "OBJ-0200" not in off
    on = client.get(reverse("kpis:objective_list"), {"status": "on_track"}).content.decode()
    assert "OBJ-0100" not in on
    found = client.get(reverse("kpis:objective_list"), {"q": "survey"}).content.decode()
    assert "OBJ-0200" in found and "OBJ-0100" not in found


def test_empty_list_says_what_to_do(client_for, quality, staff):
    assert "Set the first quality objective" in client_for(quality).get(reverse("kpis:objective_list")).content.decode()
    assert "A quality manager sets" in client_for(staff).get(reverse("kpis:objective_list")).content.decode()


def _objectives(count: int, owner) -> None:
    for _ in range(count):
        objective = ObjectiveFactory(owner=owner)
        link = ObjectiveKpiFactory(objective=objective, kpi=KpiFactory(owner=owner))
        KpiValueFactory(kpi=link.kpi)


@pytest.mark.parametrize(("params", "budget"), [({}, 10), ({"status": "on_track"}, 13)])
def test_list_query_count_does_not_grow(
    client_for, quality, staff, django_assert_max_num_queries, params, budget, settings
):
    # Both measurements count the list: a count kept from the warm-up would make the first one query short.
    settings.LIST_COUNT_CACHE_SECONDS = 0
    client = client_for(quality)
    _objectives(3, staff)
    client.get(reverse("kpis:objective_list"), params)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("kpis:objective_list"), params)
    _objectives(27, staff)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("kpis:objective_list"), params)
    assert response.status_code == 200
    assert len(few) == len(many)
    with django_assert_max_num_queries(budget):
        client.get(reverse("kpis:objective_list"), params)


def test_export_for_auditors(client_for, auditor, objective):
    response = client_for(auditor).get(reverse("kpis:objective_list"), {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "OBJ-0100" in body


# One objective --------------------------------------------------------------------------------------


def test_detail_shows_measures_plan_and_history(client_for, quality, objective):
    from qms.actions.models import Action

    Action.objects.create(
        kind="improvement",
        title="Second carrier for the north region",
        description="Add a carrier.",
        owner=objective.owner,
        due_date=timezone.localdate() + dt.timedelta(days=30),
        source=objective,
        source_label=str(objective),
    )
    content = client_for(quality).get(reverse("kpis:objective_detail", args=[objective.pk])).content.decode()
    assert "On-time delivery" in content and "80.00 %" in content and "95.00 %" in content
    assert "Red: off target" in content and "Off track" in content
    assert "Second carrier for the north region" in content
    add_action = reverse("actions:action_create") + f"?source=kpis.objective:{objective.pk}"
    assert f'href="{add_action}"' in content
    assert "History" in content


def test_detail_hides_add_action_from_those_who_may_not_add_actions(client_for, auditor, objective):
    content = client_for(auditor).get(reverse("kpis:objective_detail", args=[objective.pk])).content.decode()
    assert "Add action" not in content and "Edit" not in content


def test_detail_shows_the_objective_target_of_a_measure(client_for, quality, objective):
    ObjectiveKpi.objects.filter(objective=objective).update(target=Decimal("85"))
    content = client_for(quality).get(reverse("kpis:objective_detail", args=[objective.pk])).content.decode()
    assert "85.00 %" in content and "the objective's own" in content and "Amber" not in content


# Forms ----------------------------------------------------------------------------------------------


def test_quality_manager_sets_an_objective_with_its_kpis(client_for, quality, staff, staff_kpi, management_kpi):
    data = _form(staff, (staff_kpi, "97"), (management_kpi, ""))
    response = client_for(quality).post(reverse("kpis:objective_create"), data)
    objective = Objective.objects.get(statement="Halve complaints about late deliveries")
    assert response.status_code == 302 and response["Location"] == objective.get_absolute_url()
    assert objective.reference.startswith("OBJ-")
    links = {link.kpi_id: link.target for link in objective.measures.all()}
    assert links == {staff_kpi.pk: Decimal("97.00"), management_kpi.pk: None}
    assert AuditEntry.objects.for_object(objective).filter(action="create").count() == 1


def test_edit_form_shows_the_current_measures(client_for, quality, objective, staff_kpi):
    response = client_for(quality).get(reverse("kpis:objective_update", args=[objective.pk]))
    assert response.context["formset"].initial == [{"kpi": staff_kpi, "target": None}]
    assert "KPIs that measure it" in response.content.decode()


def test_update_replaces_the_measures_and_writes_the_audit(client_for, quality, staff, objective, management_kpi):
    data = _form(staff, (management_kpi, "98"), statement="Deliver on time, every time")
    response = client_for(quality).post(reverse("kpis:objective_update", args=[objective.pk]), data)
    assert response.status_code == 302
    assert list(objective.measures.values_list("kpi_id", "target")) == [(management_kpi.pk, Decimal("98.00"))]
    assert AuditEntry.objects.filter(content_type="kpis.objectivekpi").filter(action="delete").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"status_override": "on_track"}, "override_reason", "Say why the status is set by hand."),
        ({"statement": ""}, "statement", "This field is required."),
        ({"target_date": "soon"}, "target_date", "Enter a valid date."),
    ],
)
def test_form_names_the_bad_field(client_for, quality, staff, staff_kpi, overrides, field, message):
    response = client_for(quality).post(reverse("kpis:objective_create"), _form(staff, (staff_kpi, ""), **overrides))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not Objective.objects.exists()


def test_a_kpi_picked_twice_or_a_target_without_kpi_is_refused(client_for, quality, staff, staff_kpi):
    data = _form(staff, (staff_kpi, ""), (staff_kpi, "90"), **{"measures-2-target": "5"})
    response = client_for(quality).post(reverse("kpis:objective_create"), data)
    assert response.status_code == 400
    formset = response.context["formset"]
    assert "Each KPI can measure the objective once." in formset.forms[1].errors["kpi"][0]
    assert "Pick the KPI this target is for." in formset.forms[2].errors["kpi"][0]
    assert "KPI row 2" in response.content.decode()
    assert not Objective.objects.exists()


def test_a_bad_measure_target_is_named(client_for, quality, staff, staff_kpi):
    response = client_for(quality).post(reverse("kpis:objective_create"), _form(staff, (staff_kpi, "high")))
    assert response.status_code == 400
    assert "Enter a number." in response.context["formset"].forms[0].errors["target"][0]


def test_delete_confirms_then_deletes_keeping_the_kpis(client_for, quality, objective, staff_kpi):
    client = client_for(quality)
    confirm = client.get(reverse("kpis:objective_delete", args=[objective.pk])).content.decode()
    assert "Yes, delete" in confirm and "the KPIs stay" in confirm
    response = client.post(reverse("kpis:objective_delete", args=[objective.pk]))
    assert response["Location"] == reverse("kpis:objective_list")
    assert not Objective.objects.exists()
    assert staff_kpi.__class__.objects.filter(pk=staff_kpi.pk).exists()
    assert AuditEntry.objects.filter(
        content_type="kpis.objective", object_id=str(objective.pk), action="delete"
    ).exists()
