"""The KPI, KPI value, objective and dashboard API: who may do what, validation naming the field, query
budgets, and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qms.kpis.models import DashboardSnapshot, Kpi, KpiValue, Objective, ObjectiveKpi
from qms.kpis.periods import add_periods, period_start

from .factories import ComputedKpiFactory, KpiFactory, KpiValueFactory, ObjectiveFactory, ObjectiveKpiFactory

pytestmark = pytest.mark.django_db

READERS = ["quality", "management", "staff", "auditor"]
NOT_QUALITY = ["management", "staff", "auditor"]


@pytest.fixture
def user_in_role(request):
    def _user(role: str):
        return request.getfixturevalue(role)

    return _user


def this_month() -> dt.date:
    return period_start(timezone.localdate())


def last_month() -> dt.date:
    return add_periods(this_month(), -1)


def kpi_payload(user, **overrides) -> dict:
    payload = {
        "name": "On-time delivery",
        "unit": "%",
        "direction": "higher",
        "target": "95.00",
        "warning_threshold": "90.00",
        "frequency": "monthly",
        "owner": user.username,
        "source": "entered",
    }
    payload.update(overrides)
    return payload


# KPIs: reading ------------------------------------------------------------------------------------------


def test_anonymous_gets_401(api_client_for):
    kpi = KpiFactory()
    objective = ObjectiveFactory()
    client = api_client_for(None)
    for url in ("/api/v1/kpis/", "/api/v1/objectives/", "/api/v1/dashboard/", f"/api/v1/kpis/{kpi.pk}/values/"):
        assert client.get(url).status_code == 401
    assert client.post("/api/v1/kpis/", {}, format="json").status_code == 401
    assert client.patch(f"/api/v1/kpis/{kpi.pk}/", {}, format="json").status_code == 401
    assert client.delete(f"/api/v1/kpis/{kpi.pk}/").status_code == 401
    assert client.post("/api/v1/objectives/", {}, format="json").status_code == 401
    assert client.delete(f"/api/v1/objectives/{objective.pk}/").status_code == 401
    assert Kpi.objects.filter(pk=kpi.pk).exists()


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_kpis(api_client_for, user_in_role, role):
    kpi = KpiFactory(name="On-time delivery")
    response = api_client_for(user_in_role(role)).get("/api/v1/kpis/")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["On-time delivery"]
    assert api_client_for(user_in_role(role)).get(f"/api/v1/kpis/{kpi.pk}/").status_code == 200


def test_kpi_shows_its_latest_value_and_status(api_client_for, auditor):
    kpi = KpiFactory()  # higher is better, target 95, warning 90
    KpiValueFactory(kpi=kpi, period_start=add_periods(last_month(), -1), value=Decimal("97"))
    KpiValueFactory(kpi=kpi, period_start=last_month(), value=Decimal("92.5"))
    KpiValueFactory(kpi=kpi, period_start=this_month(), value=None)  # no number yet: not the latest
    row = api_client_for(auditor).get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert row["latest_value"] == "92.50"
    assert row["latest_period"] == last_month().strftime("%b %Y")
    assert row["status"] == "amber"


def test_kpi_without_values_has_no_status(api_client_for, auditor):
    kpi = KpiFactory()
    row = api_client_for(auditor).get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert (row["latest_value"], row["latest_period"], row["status"]) == (None, "", "none")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("source=computed", ["Complaints received"]),
        ("source=entered", ["On-time delivery", "Returns handled"]),
        ("frequency=quarterly", ["Returns handled"]),
        ("active=false", ["Returns handled"]),
        ("q=delivery", ["On-time delivery"]),
    ],
)
def test_kpi_filters_and_search(api_client_for, auditor, query, expected):
    KpiFactory(name="On-time delivery")
    KpiFactory(name="Returns handled", frequency="quarterly", active=False)
    ComputedKpiFactory(name="Complaints received")
    response = api_client_for(auditor).get(f"/api/v1/kpis/?{query}")
    assert [row["name"] for row in response.json()["results"]] == expected


def test_kpi_owner_filter(api_client_for, auditor, staff):
    KpiFactory(name="Mine", owner=staff)
    KpiFactory(name="Someone else's")
    response = api_client_for(auditor).get(f"/api/v1/kpis/?owner={staff.pk}")
    assert [row["name"] for row in response.json()["results"]] == ["Mine"]


@pytest.mark.parametrize("rows", [1, 12])
def test_kpi_list_query_count_does_not_grow_with_rows(api_client_for, quality, django_assert_max_num_queries, rows):
    for _ in range(rows):
        kpi = KpiFactory()
        KpiValueFactory(kpi=kpi, period_start=last_month())
    client = api_client_for(quality)
    # roles, count, KPIs with owners, latest values (+ a savepoint pair on PostgreSQL)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/kpis/")
    assert response.json()["count"] == rows


# KPIs: writing ------------------------------------------------------------------------------------------


def test_quality_manager_defines_a_kpi(api_client_for, quality, staff):
    response = api_client_for(quality).post("/api/v1/kpis/", kpi_payload(staff), format="json")
    assert response.status_code == 201, response.json()
    kpi = Kpi.objects.get(name="On-time delivery")
    assert kpi.owner == staff
    assert response.json()["status"] == "none"


def test_quality_manager_defines_a_computed_kpi(api_client_for, quality):
    payload = kpi_payload(quality, source="computed", figure="complaints_received", direction="lower", segment="")
    payload.update(target="10.00", warning_threshold="15.00")
    response = api_client_for(quality).post("/api/v1/kpis/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["figure"] == "complaints_received"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"frequency": "weekly"}, "frequency"),
        ({"figure": "no_such_figure", "source": "computed"}, "figure"),
        ({"source": "computed", "figure": ""}, "figure"),
        ({"figure": "complaints_received"}, "figure"),
        ({"warning_threshold": "99.00"}, "warning_threshold"),
        ({"target": "lots"}, "target"),
        ({"owner": "nobody"}, "owner"),
        ({"source": "computed", "figure": "requirements_met_pct", "segment": "retail"}, "segment"),
    ],
)
def test_bad_kpi_is_refused_naming_the_field(api_client_for, quality, overrides, field):
    response = api_client_for(quality).post("/api/v1/kpis/", kpi_payload(quality, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Kpi.objects.exists()


@pytest.mark.parametrize("role", NOT_QUALITY)
def test_others_cannot_define_change_or_delete_kpis(api_client_for, user_in_role, role, staff):
    kpi = KpiFactory(owner=user_in_role(role))
    client = api_client_for(user_in_role(role))
    assert client.post("/api/v1/kpis/", kpi_payload(staff, name="New"), format="json").status_code == 403
    assert client.patch(f"/api/v1/kpis/{kpi.pk}/", {"target": "1.00"}, format="json").status_code == 403
    assert client.put(f"/api/v1/kpis/{kpi.pk}/", kpi_payload(staff), format="json").status_code == 403
    assert client.delete(f"/api/v1/kpis/{kpi.pk}/").status_code == 403
    kpi.refresh_from_db()
    assert kpi.target == Decimal("95")


def test_quality_manager_changes_a_kpi(api_client_for, quality):
    kpi = KpiFactory()
    response = api_client_for(quality).patch(f"/api/v1/kpis/{kpi.pk}/", {"target": "97.50"}, format="json")
    assert response.status_code == 200
    kpi.refresh_from_db()
    assert kpi.target == Decimal("97.50")


def test_frequency_is_fixed_once_the_kpi_has_values(api_client_for, quality):
    kpi = KpiFactory()
    KpiValueFactory(kpi=kpi, period_start=last_month())
    response = api_client_for(quality).patch(f"/api/v1/kpis/{kpi.pk}/", {"frequency": "quarterly"}, format="json")
    assert response.status_code == 400
    assert "frequency" in response.json()["errors"]


def test_quality_manager_deletes_an_unused_kpi(api_client_for, quality):
    kpi = KpiFactory()
    assert api_client_for(quality).delete(f"/api/v1/kpis/{kpi.pk}/").status_code == 204
    assert not Kpi.objects.exists()


def test_kpi_with_values_is_not_deleted(api_client_for, quality):
    kpi = KpiFactory()
    KpiValueFactory(kpi=kpi, period_start=last_month())
    response = api_client_for(quality).delete(f"/api/v1/kpis/{kpi.pk}/")
    assert response.status_code == 400
    assert "inactive" in response.json()["detail"]
    assert Kpi.objects.filter(pk=kpi.pk).exists()


# Values -------------------------------------------------------------------------------------------------


def test_values_are_listed_newest_first_and_filtered(api_client_for, auditor, staff):
    kpi = KpiFactory()
    months = [add_periods(this_month(), -offset) for offset in range(4)]
    for month in months:
        KpiValueFactory(kpi=kpi, period_start=month, value=Decimal("80"), recorded_by=staff, note=f"n{month}")
    KpiValueFactory(kpi=KpiFactory(), period_start=months[0])  # another KPI's value
    client = api_client_for(auditor)
    rows = client.get(f"/api/v1/kpis/{kpi.pk}/values/").json()["results"]
    assert [row["period_start"] for row in rows] == [month.isoformat() for month in months]
    first = rows[0]
    assert first["period_label"] == months[0].strftime("%b %Y")
    assert (first["value"], first["recorded_by"], first["status"], first["action"]) == ("80.00", "staff", "red", None)
    query = f"start={months[2].isoformat()}&end={months[1].isoformat()}"
    rows = client.get(f"/api/v1/kpis/{kpi.pk}/values/?{query}").json()["results"]
    assert [row["period_start"] for row in rows] == [months[1].isoformat(), months[2].isoformat()]


def test_computed_values_show_no_recorder(api_client_for, auditor):
    kpi = ComputedKpiFactory()
    KpiValueFactory(kpi=kpi, period_start=last_month(), value=Decimal("4"), origin="computed", final=True)
    row = api_client_for(auditor).get(f"/api/v1/kpis/{kpi.pk}/values/").json()["results"][0]
    assert (row["recorded_by"], row["origin"], row["final"], row["status"]) == (None, "computed", True, "green")


@pytest.mark.parametrize(("query", "field"), [("start=yesterday", "start"), ("start=2026-05-01&end=2026-04-01", "end")])
def test_bad_value_range_names_the_field(api_client_for, auditor, query, field):
    kpi = KpiFactory()
    response = api_client_for(auditor).get(f"/api/v1/kpis/{kpi.pk}/values/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_values_list_is_paginated_with_a_fixed_query_count(api_client_for, auditor, django_assert_max_num_queries):
    kpi = KpiFactory()
    for offset in range(30):
        KpiValueFactory(kpi=kpi, period_start=add_periods(this_month(), -offset))
    client = api_client_for(auditor)
    # roles, the KPI, count, the page of values with KPI and recorder (+ savepoints on PostgreSQL)
    with django_assert_max_num_queries(7):
        response = client.get(f"/api/v1/kpis/{kpi.pk}/values/?page_size=10")
    body = response.json()
    assert (body["count"], len(body["results"])) == (30, 10)


@pytest.mark.parametrize("role", ["staff", "management"])
def test_owner_enters_a_value_of_their_kpi(api_client_for, user_in_role, role):
    owner = user_in_role(role)
    kpi = KpiFactory(owner=owner)
    payload = {"period_start": last_month().isoformat(), "value": "93,5", "note": "From the ERP export"}
    response = api_client_for(owner).post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json")
    assert response.status_code == 201, response.json()
    stored = KpiValue.objects.get(kpi=kpi)
    assert (stored.value, stored.origin, stored.recorded_by, stored.final) == (Decimal("93.50"), "api", owner, True)
    assert response.json()["status"] == "amber"


def test_quality_manager_enters_any_kpis_value(api_client_for, quality, staff):
    kpi = KpiFactory(owner=staff)
    payload = {"period_start": this_month().isoformat(), "value": 96}
    response = api_client_for(quality).post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["final"] is False


def test_entering_again_corrects_the_periods_value(api_client_for, staff):
    kpi = KpiFactory(owner=staff)
    client = api_client_for(staff)
    for value in ("80", "91"):
        payload = {"period_start": this_month().isoformat(), "value": value}
        assert client.post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json").status_code == 201
    assert list(KpiValue.objects.values_list("value", flat=True)) == [Decimal("91.00")]


@pytest.mark.parametrize("role", ["staff", "management", "auditor"])
def test_others_cannot_enter_a_kpis_value(api_client_for, user_in_role, role, quality):
    kpi = KpiFactory(owner=quality)
    payload = {"period_start": last_month().isoformat(), "value": "90"}
    response = api_client_for(user_in_role(role)).post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json")
    assert response.status_code == 403
    assert not KpiValue.objects.exists()


def test_auditor_cannot_enter_even_their_own_kpi(api_client_for, auditor):
    kpi = KpiFactory(owner=auditor)
    payload = {"period_start": last_month().isoformat(), "value": "90"}
    assert api_client_for(auditor).post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json").status_code == 403


def test_anonymous_cannot_enter_a_value(api_client_for):
    kpi = KpiFactory()
    payload = {"period_start": last_month().isoformat(), "value": "90"}
    assert api_client_for(None).post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json").status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"period_start": "first", "value": "90"}, "period_start"),
        ({"period_start": "LAST_MONTH_15", "value": "90"}, "period_start"),
        ({"period_start": "NEXT_MONTH", "value": "90"}, "period_start"),
        ({"period_start": "LAST_MONTH", "value": "ninety"}, "value"),
        ({"period_start": "LAST_MONTH", "value": ""}, "value"),
        ({"period_start": "LAST_MONTH"}, "value"),
    ],
)
def test_bad_value_is_refused_naming_the_field(api_client_for, staff, payload, field):
    kpi = KpiFactory(owner=staff)
    days = {
        "LAST_MONTH": last_month().isoformat(),
        "LAST_MONTH_15": last_month().replace(day=15).isoformat(),
        "NEXT_MONTH": add_periods(this_month(), 1).isoformat(),
    }
    payload = {key: days.get(value, value) for key, value in payload.items()}
    response = api_client_for(staff).post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not KpiValue.objects.exists()


def test_computed_kpi_takes_no_value_by_hand(api_client_for, quality):
    kpi = ComputedKpiFactory(owner=quality)
    payload = {"period_start": last_month().isoformat(), "value": "3"}
    response = api_client_for(quality).post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


def test_missed_closed_period_opens_an_action(api_client_for, staff):
    kpi = KpiFactory(owner=staff, opens_action_on_miss=True)
    payload = {"period_start": last_month().isoformat(), "value": "70"}
    response = api_client_for(staff).post(f"/api/v1/kpis/{kpi.pk}/values/", payload, format="json")
    assert response.status_code == 201
    action_id = KpiValue.objects.get(kpi=kpi).action_id
    assert action_id is not None
    assert response.json()["action"] == action_id


# Objectives -----------------------------------------------------------------------------------------------


def objective_payload(user, kpi, **overrides) -> dict:
    payload = {
        "statement": "Deliver on time to every customer",
        "owner": user.username,
        "target_date": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
        "measures": [{"kpi": kpi.pk, "target": "90.00"}],
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_objectives_with_their_status(api_client_for, user_in_role, role):
    kpi = KpiFactory(name="On-time delivery")  # target 95, warning 90
    KpiValueFactory(kpi=kpi, period_start=last_month(), value=Decimal("91"))
    objective = ObjectiveFactory()
    ObjectiveKpiFactory(objective=objective, kpi=kpi, target=Decimal("90"))
    rows = api_client_for(user_in_role(role)).get("/api/v1/objectives/").json()["results"]
    assert len(rows) == 1
    row = rows[0]
    # 91 against the objective's own target 90 (higher is better): green, so on track before the date.
    assert (row["status"], row["derived_status"]) == ("on_track", "on_track")
    assert row["measures"] == [
        {
            "kpi": kpi.pk,
            "target": "90.00",
            "kpi_name": "On-time delivery",
            "effective_target": "90.00",
            "latest_value": "91.00",
            "latest_period": last_month().strftime("%b %Y"),
            "status": "green",
        }
    ]


def test_hand_set_status_wins_over_the_derived_one(api_client_for, auditor):
    kpi = KpiFactory()
    KpiValueFactory(kpi=kpi, period_start=last_month(), value=Decimal("50"))
    objective = ObjectiveFactory(status_override="at_risk", override_reason="Supplier recovering")
    ObjectiveKpiFactory(objective=objective, kpi=kpi)
    row = api_client_for(auditor).get(f"/api/v1/objectives/{objective.pk}/").json()
    assert (row["status"], row["derived_status"]) == ("at_risk", "off_track")


def test_objective_without_values_has_no_derived_status(api_client_for, auditor):
    objective = ObjectiveFactory()
    row = api_client_for(auditor).get(f"/api/v1/objectives/{objective.pk}/").json()
    assert (row["status"], row["derived_status"], row["measures"]) == (None, None, [])


def test_objective_search(api_client_for, auditor):
    ObjectiveFactory(statement="Answer every complaint within five days")
    ObjectiveFactory(statement="Deliver on time")
    rows = api_client_for(auditor).get("/api/v1/objectives/?q=complaint").json()["results"]
    assert [row["statement"] for row in rows] == ["Answer every complaint within five days"]


def test_objective_owner_filter(api_client_for, auditor, management):
    ObjectiveFactory(statement="Top management's", owner=management)
    ObjectiveFactory(statement="Someone else's")
    rows = api_client_for(auditor).get(f"/api/v1/objectives/?owner={management.pk}").json()["results"]
    assert [row["statement"] for row in rows] == ["Top management's"]


def test_quarterly_values_are_labelled_by_quarter(api_client_for, auditor):
    kpi = KpiFactory(frequency="quarterly")
    KpiValueFactory(kpi=kpi, period_start=dt.date(2026, 4, 1), value=Decimal("99"))
    rows = api_client_for(auditor).get(f"/api/v1/kpis/{kpi.pk}/values/").json()["results"]
    assert [(row["period_label"], row["status"]) for row in rows] == [("Q2 2026", "green")]
    assert api_client_for(auditor).get(f"/api/v1/kpis/{kpi.pk}/").json()["latest_period"] == "Q2 2026"


@pytest.mark.parametrize("rows", [1, 10])
def test_objective_list_query_count_does_not_grow(api_client_for, auditor, django_assert_max_num_queries, rows):
    for _ in range(rows):
        link = ObjectiveKpiFactory()
        KpiValueFactory(kpi=link.kpi, period_start=last_month())
    client = api_client_for(auditor)
    # roles, count, objectives with owners, measures with KPIs, latest values (+ savepoints on PostgreSQL)
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/objectives/")
    assert response.json()["count"] == rows


def test_quality_manager_sets_an_objective_with_its_kpis(api_client_for, quality, management):
    kpi, other = KpiFactory(), KpiFactory()
    payload = objective_payload(management, kpi)
    payload["measures"].append({"kpi": other.pk, "target": None})
    response = api_client_for(quality).post("/api/v1/objectives/", payload, format="json")
    assert response.status_code == 201, response.json()
    objective = Objective.objects.get()
    assert objective.reference.startswith("OBJ-")
    assert response.json()["reference"] == objective.reference
    targets = dict(ObjectiveKpi.objects.filter(objective=objective).values_list("kpi_id", "target"))
    assert targets == {kpi.pk: Decimal("90.00"), other.pk: None}


def test_quality_manager_replaces_the_measures(api_client_for, quality):
    objective = ObjectiveFactory()
    old = ObjectiveKpiFactory(objective=objective).kpi
    new = KpiFactory()
    payload = {"measures": [{"kpi": new.pk, "target": "80.00"}]}
    response = api_client_for(quality).patch(f"/api/v1/objectives/{objective.pk}/", payload, format="json")
    assert response.status_code == 200, response.json()
    assert list(objective.measures.values_list("kpi_id", flat=True)) == [new.pk]
    assert old.pk not in [row["kpi"] for row in response.json()["measures"]]


def test_patch_without_measures_keeps_them(api_client_for, quality):
    link = ObjectiveKpiFactory()
    payload = {"statement": "Deliver on time, every time"}
    response = api_client_for(quality).patch(f"/api/v1/objectives/{link.objective.pk}/", payload, format="json")
    assert response.status_code == 200
    assert [row["kpi"] for row in response.json()["measures"]] == [link.kpi_id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"status_override": "fine"}, "status_override"),
        ({"status_override": "at_risk", "override_reason": ""}, "override_reason"),
        ({"target_date": "soon"}, "target_date"),
        ({"statement": ""}, "statement"),
        ({"measures": [{"kpi": 999999}]}, "measures"),
        ({"measures": "MEASURE_TWICE"}, "kpis"),
    ],
)
def test_bad_objective_is_refused_naming_the_field(api_client_for, quality, overrides, field):
    kpi = KpiFactory()
    if overrides.get("measures") == "MEASURE_TWICE":
        overrides["measures"] = [{"kpi": kpi.pk}, {"kpi": kpi.pk}]
    response = api_client_for(quality).post(
        "/api/v1/objectives/", objective_payload(quality, kpi, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Objective.objects.exists()


@pytest.mark.parametrize("role", NOT_QUALITY)
def test_others_cannot_set_change_or_delete_objectives(api_client_for, user_in_role, role):
    user = user_in_role(role)
    kpi = KpiFactory()
    objective = ObjectiveFactory(owner=user)
    client = api_client_for(user)
    assert client.post("/api/v1/objectives/", objective_payload(user, kpi), format="json").status_code == 403
    assert client.patch(f"/api/v1/objectives/{objective.pk}/", {"statement": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/objectives/{objective.pk}/").status_code == 403
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_quality_manager_deletes_an_objective(api_client_for, quality):
    link = ObjectiveKpiFactory()
    assert api_client_for(quality).delete(f"/api/v1/objectives/{link.objective.pk}/").status_code == 204
    assert not Objective.objects.exists()
    assert Kpi.objects.filter(pk=link.kpi_id).exists()


# Dashboard ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("quality", 200), ("management", 200), ("auditor", 200), ("staff", 403)])
def test_dashboard_access_per_role(api_client_for, user_in_role, role, status):
    assert api_client_for(user_in_role(role)).get("/api/v1/dashboard/").status_code == status


@pytest.mark.parametrize(("role", "status"), [("quality", 405), ("management", 403), ("staff", 403), ("auditor", 403)])
def test_dashboard_is_read_only(api_client_for, user_in_role, role, status):
    assert api_client_for(user_in_role(role)).post("/api/v1/dashboard/", {}, format="json").status_code == status


def test_dashboard_is_served_from_the_snapshot(api_client_for, auditor, django_assert_max_num_queries):
    client = api_client_for(auditor)
    first = client.get("/api/v1/dashboard/").json()
    # roles, the stored snapshot
    with django_assert_max_num_queries(3):
        second = client.get("/api/v1/dashboard/").json()
    assert second == first


def test_dashboard_defaults_to_the_last_twelve_months(api_client_for, auditor):
    body = api_client_for(auditor).get("/api/v1/dashboard/").json()
    today = timezone.localdate()
    assert body["params"]["start"] == add_periods(period_start(today), -11).isoformat()
    assert body["params"]["end"] == today.isoformat()
    assert {"params", "computed_at", "panels", "trends", "kpis", "objectives"} <= set(body)
    assert DashboardSnapshot.objects.count() == 1


def test_dashboard_takes_range_and_filters(api_client_for, management):
    query = "start=2026-01-01&end=2026-03-31&segment=retail&product=Widget"
    body = api_client_for(management).get(f"/api/v1/dashboard/?{query}").json()
    assert body["params"] == {"start": "2026-01-01", "end": "2026-03-31", "segment": "retail", "product": "Widget"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-13-01", "start"),
        ("end=tomorrow&start=2026-01-01", "end"),
        ("start=2026-03-01&end=2026-01-31", "end"),
        ("end=2026-03-31", "start"),
        ("start=2999-01-01", "start"),
    ],
)
def test_dashboard_bad_dates_name_the_field(api_client_for, auditor, query, field):
    response = api_client_for(auditor).get(f"/api/v1/dashboard/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


# Schema -------------------------------------------------------------------------------------------------


def test_schema_documents_the_kpi_endpoints(api_client_for, quality):
    schema = api_client_for(quality).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {
        "/api/v1/kpis/",
        "/api/v1/kpis/{id}/",
        "/api/v1/kpis/{id}/values/",
        "/api/v1/objectives/",
        "/api/v1/objectives/{id}/",
        "/api/v1/dashboard/",
    } <= set(schema["paths"])
    names = {parameter["name"] for parameter in schema["paths"]["/api/v1/kpis/"]["get"]["parameters"]}
    assert {"q", "source", "frequency", "active", "owner", "page"} <= names
    names = {parameter["name"] for parameter in schema["paths"]["/api/v1/kpis/{id}/values/"]["get"]["parameters"]}
    assert {"start", "end", "page"} <= names
    assert "source" not in names
