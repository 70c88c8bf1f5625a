import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback.tests.factories import FeedbackItemFactory
from qms.actions.models import Action
from qms.audit.models import AuditEntry
from qms.kpis import services
from qms.kpis.models import Kpi, KpiValue
from qms.kpis.selectors import objective_list, with_status

from .factories import ComputedKpiFactory, KpiFactory, KpiValueFactory, ObjectiveFactory, ObjectiveKpiFactory

TODAY = dt.date(2026, 11, 25)
D = dt.date


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _definition(owner, **overrides):
    fields = {
        "name": "On-time delivery",
        "unit": "%",
        "direction": "higher",
        "target": Decimal("95"),
        "warning_threshold": Decimal("90"),
        "frequency": "monthly",
        "owner": owner,
        "source": "entered",
    }
    return fields | overrides


# Defining KPIs ----------------------------------------------------------------------------------------


def test_quality_manager_defines_a_kpi_with_an_audit_row(quality, staff):
    kpi = services.kpi_create(actor=quality, **_definition(staff))
    assert Kpi.objects.get(pk=kpi.pk).owner == staff
    assert AuditEntry.objects.filter(object_id=str(kpi.pk), content_type="kpis.kpi", action="create").count() == 1


@pytest.mark.parametrize("persona", ["management", "staff", "auditor"])
def test_only_quality_managers_define_kpis(request, persona, quality):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.kpi_create(actor=actor, **_definition(quality))
    assert not Kpi.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source": "computed"}, "figure"),
        ({"source": "computed", "figure": "no_such_figure"}, "figure"),
        ({"figure": "nps"}, "figure"),
        ({"warning_threshold": Decimal("97")}, "warning_threshold"),
        ({"direction": "lower", "target": Decimal("10"), "warning_threshold": Decimal("5")}, "warning_threshold"),
        ({"source": "computed", "figure": "requirements_met_pct", "segment": "sme"}, "segment"),
        ({"source": "computed", "figure": "nps", "product": "Pumps"}, "product"),
        ({"name": ""}, "name"),
    ],
)
def test_a_definition_that_does_not_fit_names_the_field(quality, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.kpi_create(actor=quality, **_definition(quality, **overrides))
    assert field in caught.value.message_dict
    assert not Kpi.objects.exists()


def test_a_new_computed_flow_kpi_shows_twelve_closed_months_and_the_current_one_at_once(quality, time_machine):
    time_machine.move_to(_at(TODAY), tick=False)
    FeedbackItemFactory(received_at=_at(D(2026, 3, 10)))
    FeedbackItemFactory(received_at=_at(D(2026, 3, 20)))
    FeedbackItemFactory(received_at=_at(D(2026, 11, 2)))
    kpi = services.kpi_create(
        actor=quality,
        **_definition(
            quality,
            name="Complaints",
            source="computed",
            figure="complaints_received",
            direction="lower",
            target=Decimal("1"),
            warning_threshold=None,
        ),
    )
    values = {value.period_start: value for value in kpi.values.all()}
    assert len(values) == 13
    assert min(values) == D(2025, 11, 1) and max(values) == D(2026, 11, 1)
    assert values[D(2026, 3, 1)].value == 2 and values[D(2026, 3, 1)].final
    assert values[D(2026, 4, 1)].value == 0
    assert values[D(2026, 11, 1)].value == 1 and not values[D(2026, 11, 1)].final
    assert all(value.recorded_by is None and value.origin == "computed" for value in values.values())
    # Old misses do not open actions: only the period just ended can.
    assert not Action.objects.exists()


def test_a_snapshot_kpi_records_only_the_period_just_ended_and_the_current_one(quality, time_machine):
    time_machine.move_to(_at(TODAY), tick=False)
    kpi = services.kpi_create(
        actor=quality,
        **_definition(
            quality,
            name="Overdue actions",
            source="computed",
            figure="overdue_actions",
            direction="lower",
            target=Decimal("0"),
            warning_threshold=None,
        ),
    )
    assert sorted(kpi.values.values_list("period_start", flat=True)) == [D(2026, 10, 1), D(2026, 11, 1)]


def test_what_a_kpi_measures_cannot_change_once_it_has_values(quality):
    kpi = KpiFactory(owner=quality)
    KpiValueFactory(kpi=kpi)
    for field, value in [("frequency", "quarterly"), ("source", "computed")]:
        with pytest.raises(ValidationError) as caught:
            services.kpi_update(actor=quality, kpi=kpi, **{field: value})
        assert field in caught.value.message_dict
    services.kpi_update(actor=quality, kpi=kpi, target=Decimal("97"), warning_threshold=Decimal("93"))
    assert Kpi.objects.get(pk=kpi.pk).target == Decimal("97")


def test_a_kpi_with_values_is_deactivated_not_deleted(quality):
    kept, spare = KpiFactory(owner=quality), KpiFactory(owner=quality)
    KpiValueFactory(kpi=kept)
    with pytest.raises(ValidationError):
        services.kpi_delete(actor=quality, kpi=kept)
    services.kpi_delete(actor=quality, kpi=spare)
    assert list(Kpi.objects.all()) == [kept]


# Entering values --------------------------------------------------------------------------------------


def test_owner_enters_their_kpis_value_and_another_member_of_staff_cannot(staff, management):
    kpi = KpiFactory(owner=staff)
    value = services.value_record(actor=staff, kpi=kpi, period_start=D(2026, 11, 1), value="87,5 %", today=TODAY)
    assert value.value == Decimal("87.50") and value.recorded_by == staff and not value.final
    with pytest.raises(PermissionDenied):
        services.value_record(actor=management, kpi=kpi, period_start=D(2026, 11, 1), value="90", today=TODAY)
    assert KpiValue.objects.get().value == Decimal("87.50")


def test_auditor_cannot_enter_values_even_of_a_kpi_they_own(auditor):
    kpi = KpiFactory(owner=auditor)
    with pytest.raises(PermissionDenied):
        services.value_record(actor=auditor, kpi=kpi, period_start=D(2026, 11, 1), value="90", today=TODAY)


def test_quality_manager_enters_any_kpis_value_and_a_second_entry_replaces_the_first(quality, staff):
    kpi = KpiFactory(owner=staff)
    services.value_record(actor=quality, kpi=kpi, period_start=D(2026, 10, 1), value="80", today=TODAY)
    services.value_record(
        actor=quality, kpi=kpi, period_start=D(2026, 10, 1), value="96", note="Corrected", today=TODAY
    )
    value = KpiValue.objects.get()
    assert (value.value, value.note, value.final) == (Decimal("96.00"), "Corrected", True)


@pytest.mark.parametrize(
    ("period", "raw", "field"),
    [
        (D(2026, 12, 1), "90", "period_start"),
        (D(2026, 10, 15), "90", "period_start"),
        (D(2026, 10, 1), "ninety", "value"),
        (D(2026, 10, 1), "", "value"),
        (D(2026, 10, 1), "1e15", "value"),
    ],
)
def test_bad_values_are_refused_naming_the_field(quality, period, raw, field):
    kpi = KpiFactory(owner=quality)
    with pytest.raises(ValidationError) as caught:
        services.value_record(actor=quality, kpi=kpi, period_start=period, value=raw, today=TODAY)
    assert field in caught.value.message_dict
    assert not KpiValue.objects.exists()


def test_values_of_a_computed_kpi_cannot_be_entered(quality):
    kpi = ComputedKpiFactory(owner=quality)
    with pytest.raises(ValidationError) as caught:
        services.value_record(actor=quality, kpi=kpi, period_start=D(2026, 10, 1), value="3", today=TODAY)
    assert "value" in caught.value.message_dict


# Actions on a miss ------------------------------------------------------------------------------------


def test_a_closed_period_that_misses_opens_one_action_for_the_owner(quality, staff):
    kpi = KpiFactory(owner=staff, opens_action_on_miss=True, action_due_days=20)
    services.value_record(actor=quality, kpi=kpi, period_start=D(2026, 10, 1), value="80", today=TODAY)
    services.value_record(actor=quality, kpi=kpi, period_start=D(2026, 10, 1), value="81", today=TODAY)
    action = Action.objects.get()
    assert (action.owner, action.kind, action.due_date) == (staff, "corrective", TODAY + dt.timedelta(days=20))
    assert action.source == kpi and "Oct 2026" in action.title
    assert KpiValue.objects.get().action == action


@pytest.mark.parametrize(
    ("period", "value", "opens"),
    [(D(2026, 10, 1), "96", False), (D(2026, 11, 1), "50", False), (D(2026, 10, 1), "92", True)],
)
def test_no_action_when_met_or_still_open_but_amber_is_a_miss(quality, period, value, opens):
    kpi = KpiFactory(owner=quality, opens_action_on_miss=True)
    services.value_record(actor=quality, kpi=kpi, period_start=period, value=value, today=TODAY)
    assert Action.objects.exists() is opens


def test_no_action_unless_the_kpi_asks_for_it(quality):
    kpi = KpiFactory(owner=quality, opens_action_on_miss=False)
    services.value_record(actor=quality, kpi=kpi, period_start=D(2026, 10, 1), value="10", today=TODAY)
    assert not Action.objects.exists()


# The nightly computation ------------------------------------------------------------------------------


@pytest.fixture
def complaints_kpi(quality):
    return ComputedKpiFactory(owner=quality, target=Decimal("1"), warning_threshold=None, opens_action_on_miss=True)


def test_the_nightly_job_is_idempotent(complaints_kpi, time_machine):
    time_machine.move_to(_at(TODAY), tick=False)
    for day in (D(2026, 10, 3), D(2026, 10, 4), D(2026, 11, 20)):
        FeedbackItemFactory(received_at=_at(day))
    first = services.compute_kpi_values(today=TODAY)
    rows = list(KpiValue.objects.order_by("period_start").values_list("period_start", "value", "final", "recorded_at"))
    audit_rows = AuditEntry.objects.count()
    second = services.compute_kpi_values(today=TODAY)
    assert first == {"kpis": 1, "values": 13} and second == {"kpis": 1, "values": 1}
    assert (
        list(KpiValue.objects.order_by("period_start").values_list("period_start", "value", "final", "recorded_at"))
        == rows
    )
    assert AuditEntry.objects.count() == audit_rows
    assert Action.objects.count() == 1  # October: 2 complaints against a target of at most 1


def test_a_closed_periods_value_is_kept_and_the_current_one_follows_the_data(complaints_kpi, time_machine):
    time_machine.move_to(_at(TODAY), tick=False)
    services.compute_kpi_values(today=TODAY)
    FeedbackItemFactory(received_at=_at(D(2026, 10, 30)))  # logged late, into a closed month
    FeedbackItemFactory(received_at=_at(D(2026, 11, 24)))
    services.compute_kpi_values(today=TODAY)
    assert KpiValue.objects.get(period_start=D(2026, 10, 1)).value == 0
    assert KpiValue.objects.get(period_start=D(2026, 11, 1)).value == 1


def test_on_the_first_night_of_a_month_the_month_just_ended_becomes_final(complaints_kpi, time_machine):
    time_machine.move_to(_at(D(2026, 11, 30)), tick=False)
    FeedbackItemFactory(received_at=_at(D(2026, 11, 10)))
    FeedbackItemFactory(received_at=_at(D(2026, 11, 29)))
    services.compute_kpi_values(today=D(2026, 11, 30))
    assert not KpiValue.objects.get(period_start=D(2026, 11, 1)).final
    assert not Action.objects.exists()
    time_machine.move_to(_at(D(2026, 12, 1), 1), tick=False)
    services.compute_kpi_values(today=D(2026, 12, 1))
    november = KpiValue.objects.get(period_start=D(2026, 11, 1))
    assert (november.value, november.final) == (2, True)
    assert Action.objects.get().title.startswith(complaints_kpi.name)
    assert KpiValue.objects.get(period_start=D(2026, 12, 1)).value == 0


def test_inactive_and_entered_kpis_are_not_computed(quality):
    ComputedKpiFactory(owner=quality, active=False)
    KpiFactory(owner=quality)
    assert services.compute_kpi_values(today=TODAY) == {"kpis": 0, "values": 0}
    assert not KpiValue.objects.exists()


# Orders and objectives --------------------------------------------------------------------------------


def test_order_volumes_are_kept_per_month_by_quality_managers(quality, management):
    services.order_volume_set(actor=quality, month=D(2026, 10, 17), orders="2500")
    volume = services.order_volume_set(actor=quality, month=D(2026, 10, 1), orders=3000)
    assert (volume.month, volume.orders) == (D(2026, 10, 1), 3000)
    with pytest.raises(ValidationError) as caught:
        services.order_volume_set(actor=quality, month=D(2026, 9, 1), orders="-4")
    assert "orders" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.order_volume_set(actor=management, month=D(2026, 9, 1), orders=10)


def test_objectives_are_numbered_in_turn_and_measured_by_their_kpis(quality, staff):
    kpi = KpiFactory(owner=staff)
    first = services.objective_create(
        actor=quality,
        statement="Deliver on time",
        owner=staff,
        target_date=D(2027, 6, 30),
        measures=[{"kpi": kpi, "target": Decimal("97")}],
    )
    second = services.objective_create(
        actor=quality, statement="Answer faster", owner=staff, target_date=D(2027, 6, 30)
    )
    assert (first.reference, second.reference) == ("OBJ-0001", "OBJ-0002")
    assert first.measures.get().effective_target == Decimal("97")
    services.objective_update(actor=quality, objective=first, measures=[])
    assert not first.measures.exists()


def test_a_hand_set_status_needs_a_reason(quality):
    with pytest.raises(ValidationError) as caught:
        services.objective_create(
            actor=quality, statement="X", owner=quality, target_date=D(2027, 1, 1), status_override="achieved"
        )
    assert "override_reason" in caught.value.message_dict


def test_an_objective_status_is_derived_from_its_kpis_latest_values(quality):
    on_time, retention = KpiFactory(owner=quality), KpiFactory(owner=quality)
    objective = ObjectiveFactory(owner=quality, target_date=D(2099, 1, 1))
    ObjectiveKpiFactory(objective=objective, kpi=on_time)
    ObjectiveKpiFactory(objective=objective, kpi=retention, target=Decimal("80"))
    KpiValueFactory(kpi=on_time, period_start=D(2026, 9, 1), value=Decimal("50"))
    KpiValueFactory(kpi=on_time, period_start=D(2026, 10, 1), value=Decimal("96"))
    KpiValueFactory(kpi=retention, period_start=D(2026, 10, 1), value=Decimal("85"))  # 85 ≥ the objective's 80
    [shown] = with_status(list(objective_list(user=quality)))
    assert shown.status == "on_track"
    assert [row["status"] for row in shown.measure_rows] == ["green", "green"]


def test_objective_list_and_status_take_three_queries_whatever_their_number(quality, django_assert_num_queries):
    for _ in range(5):
        link = ObjectiveKpiFactory(objective=ObjectiveFactory(owner=quality), kpi=KpiFactory(owner=quality))
        KpiValueFactory(kpi=link.kpi)
    quality.has_perm("kpis.view_objective")  # the permission cache, as a page's middleware would have it
    with django_assert_num_queries(3):
        objectives = with_status(list(objective_list(user=quality)))
    assert len(objectives) == 5
