"""Writes to the risk and opportunity log: the matrix versions, entries, scoring, the workflow."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.actions.tests.factories import ActionFactory
from qms.audit.models import AuditEntry
from qms.core.models import OutboxEmail
from risks import services
from risks.choices import EntryStatus
from risks.models import EffectivenessReview, RiskAssessment, RiskEntry, RiskMatrix
from risks.tests.factories import (
    NON_MULTIPLICATIVE,
    THREE_BY_THREE,
    RiskCategoryFactory,
    RiskEntryFactory,
    UserFactory,
)
from risks.workflow import STEPS

S = EntryStatus


def assess(entry, actor, kind="inherent", likelihood=2, impact=2):
    return services.entry_assess(actor=actor, entry=entry, kind=kind, likelihood=likelihood, impact=impact)


# The matrix ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_matrix_save_makes_the_next_version_the_only_active_one(quality, matrix):
    new = services.matrix_save(actor=quality, data=THREE_BY_THREE)
    matrix.refresh_from_db()
    assert (new.version, new.active, new.size, new.created_by) == (matrix.version + 1, True, (3, 3), quality)
    assert not matrix.active
    assert list(RiskMatrix.objects.filter(active=True)) == [new]
    assert services.active_matrix() == new


@pytest.mark.django_db
def test_matrix_change_keeps_old_assessments_readable(quality, matrix):
    entry = RiskEntryFactory(owner=quality)
    old = assess(entry, quality, likelihood=4, impact=5)
    services.matrix_save(actor=quality, data=NON_MULTIPLICATIVE)
    old.refresh_from_db()
    assert (old.matrix, old.matrix.version, old.score, old.band) == (matrix, 1, 20, "critical")
    assert old.matrix.score(4, 5) == 20 and old.matrix.scores == matrix.scores
    new = assess(entry, quality, likelihood=4, impact=4)
    assert (new.matrix.version, new.score, new.band) == (2, 16, "critical")
    assert [(a.matrix.version, a.score) for a in services_history(entry)] == [(1, 20), (2, 16)]


def services_history(entry):
    from risks.selectors import score_history

    return score_history(entry)


@pytest.mark.django_db
def test_invalid_matrix_is_refused_naming_the_field_and_changes_nothing(quality, matrix):
    with pytest.raises(ValidationError) as error:
        services.matrix_save(actor=quality, data={**THREE_BY_THREE, "scores": [[1, 2, 3]]})
    assert "scores" in error.value.message_dict
    assert list(RiskMatrix.objects.values_list("version", "active")) == [(1, True)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "management", "auditor"])
def test_only_quality_managers_change_the_matrix(role, user_in_role, matrix):
    with pytest.raises(PermissionDenied):
        services.matrix_save(actor=user_in_role(role), data=THREE_BY_THREE)


@pytest.mark.django_db
def test_matrix_save_writes_audit_rows(quality, matrix):
    new = services.matrix_save(actor=quality, data=THREE_BY_THREE)
    assert AuditEntry.objects.filter(content_type="risks.riskmatrix", object_id=str(new.pk)).exists()


# Entries ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_references_count_per_kind(quality):
    first = services.entry_create(actor=quality, data={"title": "Supplier fails", "kind": "risk"})
    opportunity = services.entry_create(actor=quality, data={"title": "New market", "kind": "opportunity"})
    second = services.entry_create(actor=quality, data={"title": "Machine breaks", "kind": "risk"})
    assert (first.reference, opportunity.reference, second.reference) == ("RSK-0001", "OPP-0001", "RSK-0002")


@pytest.mark.django_db
def test_quality_manager_logs_with_status_owner_and_links(quality, staff):
    from requirements.tests.factories import RequirementFactory

    requirement = RequirementFactory()
    category = RiskCategoryFactory()
    entry = services.entry_create(
        actor=quality,
        data={
            "title": "Late deliveries",
            "owner": staff,
            "status": "treating",
            "category": category,
            "source": "requirement",
            "requirements": [requirement],
        },
    )
    assert (entry.status, entry.owner, entry.proposed_by, entry.category) == ("treating", staff, None, category)
    assert list(entry.requirements.all()) == [requirement]
    assert entry.next_review_date == services.add_months(timezone.localdate(), 6)


@pytest.mark.django_db
def test_staff_proposal_starts_identified_owned_by_them(staff):
    entry = services.entry_create(actor=staff, data={"title": "Key person leaves", "status": "monitoring"})
    assert (entry.status, entry.owner, entry.proposed_by) == ("identified", staff, staff)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "management"])
def test_readers_cannot_log_entries(role, user_in_role):
    with pytest.raises(PermissionDenied):
        services.entry_create(actor=user_in_role(role), data={"title": "x"})


@pytest.mark.django_db
def test_entry_needs_a_title(quality):
    with pytest.raises(ValidationError) as error:
        services.entry_create(actor=quality, data={"title": "  "})
    assert "title" in error.value.message_dict


@pytest.mark.django_db
def test_treatment_option_must_fit_the_kind(quality):
    with pytest.raises(ValidationError) as error:
        services.entry_create(actor=quality, data={"title": "x", "kind": "opportunity", "treatment_option": "avoid"})
    assert "treatment_option" in error.value.message_dict


@pytest.mark.django_db
def test_owner_edits_their_own_entry(staff):
    entry = RiskEntryFactory(owner=staff)
    services.entry_update(actor=staff, entry=entry, data={"title": "Renamed", "cause": "Single supplier"})
    entry.refresh_from_db()
    assert (entry.title, entry.cause) == ("Renamed", "Single supplier")


@pytest.mark.django_db
def test_staff_cannot_edit_someone_elses_entry(staff):
    with pytest.raises(PermissionDenied):
        services.entry_update(actor=staff, entry=RiskEntryFactory(), data={"title": "Mine now"})


@pytest.mark.django_db
def test_owner_cannot_hand_the_entry_to_someone_else(staff):
    entry = RiskEntryFactory(owner=staff)
    with pytest.raises(ValidationError) as error:
        services.entry_update(actor=staff, entry=entry, data={"owner": UserFactory()})
    assert "owner" in error.value.message_dict


@pytest.mark.django_db
def test_closed_entry_cannot_be_edited(quality):
    with pytest.raises(ValidationError) as error:
        services.entry_update(actor=quality, entry=RiskEntryFactory(status="closed"), data={"title": "x"})
    assert "status" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "management"])
def test_readers_cannot_edit(role, user_in_role):
    entry = RiskEntryFactory(owner=user_in_role(role))
    with pytest.raises(PermissionDenied):
        services.entry_update(actor=user_in_role(role), entry=entry, data={"title": "x"})


# Scoring ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_inherent_score_assesses_the_entry_and_is_copied(quality, matrix):
    entry = RiskEntryFactory(owner=quality)
    assessment = assess(entry, quality, likelihood=3, impact=4)
    entry.refresh_from_db()
    assert (assessment.score, assessment.band, assessment.matrix) == (12, "high", matrix)
    assert (entry.status, entry.inherent_score, entry.inherent_band) == ("assessed", 12, "high")
    assert (entry.inherent_likelihood, entry.inherent_impact) == (3, 4)


@pytest.mark.django_db
def test_target_and_residual_scores_are_copied(quality, matrix):
    entry = RiskEntryFactory(owner=quality, status="treating")
    assess(entry, quality, kind="target", likelihood=1, impact=2)
    assess(entry, quality, kind="residual", likelihood=2, impact=3)
    entry.refresh_from_db()
    assert (entry.target_score, entry.target_band, entry.status) == (2, "low", "treating")
    assert (entry.residual_score, entry.residual_band, entry.residual_likelihood, entry.residual_impact) == (
        6,
        "medium",
        2,
        3,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("likelihood", "impact", "field"), [(0, 1, "likelihood"), (6, 1, "likelihood"), (1, 6, "impact")]
)
def test_levels_outside_the_matrix_name_the_field(quality, matrix, likelihood, impact, field):
    entry = RiskEntryFactory(owner=quality)
    with pytest.raises(ValidationError) as error:
        assess(entry, quality, likelihood=likelihood, impact=impact)
    assert field in error.value.message_dict
    assert not RiskAssessment.objects.exists()


@pytest.mark.django_db
def test_scoring_a_closed_entry_is_refused(quality, matrix):
    with pytest.raises(ValidationError) as error:
        assess(RiskEntryFactory(owner=quality, status="closed"), quality)
    assert "step" in error.value.message_dict


@pytest.mark.django_db
def test_entering_a_band_that_needs_approval_tells_top_management_once(quality, management, matrix):
    entry = RiskEntryFactory(owner=quality)
    first = assess(entry, quality, likelihood=5, impact=4)
    entry.refresh_from_db()
    assert entry.approval_required
    [notice] = OutboxEmail.objects.all()
    assert notice.key == f"risk-approval:{first.pk}"
    assert notice.recipients == [management.email]
    assert entry.reference in notice.subject
    assess(entry, quality, likelihood=5, impact=5)  # still critical: no second notice
    assert OutboxEmail.objects.count() == 1


@pytest.mark.django_db
def test_residual_entering_critical_tells_top_management(quality, management, matrix):
    entry = RiskEntryFactory(owner=quality, status="treating")
    assess(entry, quality, likelihood=3, impact=3)
    assert not OutboxEmail.objects.exists()
    assess(entry, quality, kind="residual", likelihood=5, impact=5)
    entry.refresh_from_db()
    assert entry.approval_required
    assert OutboxEmail.objects.count() == 1


@pytest.mark.django_db
def test_leaving_the_approval_band_clears_the_flag(quality, management, matrix):
    entry = RiskEntryFactory(owner=quality, status="treating")
    assess(entry, quality, likelihood=5, impact=5)
    assess(entry, quality, kind="residual", likelihood=2, impact=2)
    entry.refresh_from_db()
    assert not entry.approval_required


@pytest.mark.django_db
def test_band_rules_follow_the_matrix_in_use(quality, management, matrix):
    services.matrix_save(actor=quality, data=THREE_BY_THREE)
    entry = RiskEntryFactory(owner=quality)
    assessment = assess(entry, quality, likelihood=3, impact=3)
    assert (assessment.score, assessment.band) == (9, "critical")
    assert OutboxEmail.objects.count() == 1
    with pytest.raises(ValidationError) as error:
        assess(entry, quality, likelihood=4, impact=1)
    assert "likelihood" in error.value.message_dict


@pytest.mark.django_db
def test_staff_score_only_their_own_entries(staff, matrix):
    assess(RiskEntryFactory(owner=staff), staff)
    with pytest.raises(PermissionDenied):
        assess(RiskEntryFactory(), staff)


# Acceptance ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_a_risk_outside_the_approval_band_goes_to_monitoring(quality, matrix):
    entry = RiskEntryFactory(owner=quality)
    assess(entry, quality, likelihood=2, impact=2)
    services.entry_step(actor=quality, entry=entry, name="accept", comment="Cheaper to live with")
    entry.refresh_from_db()
    assert (entry.status, entry.treatment_option, entry.accepted_by, entry.acceptance_reason) == (
        "monitoring",
        "accept",
        quality,
        "Cheaper to live with",
    )
    assert entry.accepted_at is not None and not entry.approval_required
    assert not OutboxEmail.objects.exists()


@pytest.mark.django_db
def test_declining_an_opportunity_is_its_acceptance(quality, matrix):
    entry = RiskEntryFactory(owner=quality, kind="opportunity")
    assess(entry, quality)
    services.entry_step(actor=quality, entry=entry, name="accept", comment="Not now")
    entry.refresh_from_db()
    assert (entry.status, entry.treatment_option) == ("monitoring", "decline")


@pytest.mark.django_db
def test_accepting_needs_a_reason(quality, matrix):
    entry = RiskEntryFactory(owner=quality, status="assessed")
    with pytest.raises(ValidationError) as error:
        services.entry_step(actor=quality, entry=entry, name="accept", comment=" ")
    assert "comment" in error.value.message_dict


@pytest.mark.django_db
def test_accepting_a_critical_risk_waits_for_top_management(quality, management, matrix):
    entry = RiskEntryFactory(owner=quality)
    assess(entry, quality, likelihood=5, impact=5)
    OutboxEmail.objects.all().delete()
    services.entry_step(actor=quality, entry=entry, name="accept", comment="No alternative supplier")
    entry.refresh_from_db()
    assert (entry.status, entry.approval_required, entry.approved_by) == ("assessed", True, None)
    [notice] = OutboxEmail.objects.all()
    assert notice.key.startswith(f"risk-acceptance:{entry.pk}:")
    assert "No alternative supplier" in notice.body
    with pytest.raises(ValidationError):
        services.entry_step(actor=quality, entry=entry, name="accept", comment="Again")
    assert OutboxEmail.objects.count() == 1
    services.entry_step(actor=management, entry=entry, name="approve")
    entry.refresh_from_db()
    assert (entry.status, entry.approved_by) == ("monitoring", management)
    assert entry.approved_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_only_top_management_approves(role, user_in_role, quality, matrix):
    actor = user_in_role(role)
    entry = RiskEntryFactory(owner=actor, status="assessed", inherent_band="critical", inherent_score=25)
    entry.approval_required, entry.accepted_at, entry.accepted_by = True, timezone.now(), quality
    entry.save()
    with pytest.raises(PermissionDenied):
        services.entry_step(actor=actor, entry=entry, name="approve")


@pytest.mark.django_db
def test_approve_needs_an_acceptance_waiting(management, matrix):
    entry = RiskEntryFactory(status="assessed")
    with pytest.raises(ValidationError) as error:
        services.entry_step(actor=management, entry=entry, name="approve")
    assert "step" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["start_treatment", "accept", "review_effectiveness", "close", "reopen"])
def test_top_management_takes_no_other_step(name, management, matrix):
    entry = RiskEntryFactory(owner=management, status="assessed")
    with pytest.raises(PermissionDenied):
        services.entry_step(actor=management, entry=entry, name=name, comment="why")


@pytest.mark.django_db
@pytest.mark.parametrize("name", [step.name for step in STEPS])
def test_auditor_takes_no_step(name, auditor, matrix):
    entry = RiskEntryFactory(owner=auditor, status="assessed")
    with pytest.raises(PermissionDenied):
        services.entry_step(actor=auditor, entry=entry, name=name, comment="why")


@pytest.mark.django_db
def test_owner_cannot_close(staff, matrix):
    with pytest.raises(PermissionDenied):
        services.entry_step(actor=staff, entry=RiskEntryFactory(owner=staff), name="close", comment="done")


# The workflow table ----------------------------------------------------------------------------------

EXPECTED_TARGET = {
    "start_treatment": S.TREATING,
    "accept": S.MONITORING,
    "approve": S.MONITORING,
    "review_effectiveness": S.MONITORING,
    "close": S.CLOSED,
    "reopen": S.ASSESSED,
}


def _ready_for(name, status, actor, matrix) -> RiskEntry:
    """An entry in ``status`` that meets every condition of step ``name`` except, maybe, the status."""
    entry = RiskEntryFactory(owner=actor, status=status, inherent_score=4, inherent_band="low")
    if name == "approve":
        # Accepted by someone else: nobody approves their own acceptance.
        entry.approval_required, entry.accepted_at, entry.accepted_by = True, timezone.now(), UserFactory()
        entry.save()
    if name == "review_effectiveness":
        RiskAssessment.objects.create(
            entry=entry,
            matrix=matrix,
            kind="residual",
            likelihood=1,
            impact=1,
            score=1,
            band="low",
            assessed_by=actor,
            assessed_at=timezone.now(),
        )
    return entry


@pytest.mark.django_db
@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("step", [step for step in STEPS if step.name != "assess"], ids=lambda step: step.name)
def test_workflow_table(step, status, superuser, matrix):
    entry = _ready_for(step.name, status, superuser, matrix)
    extra = {"treatment_option": "reduce", "target_reached": True}
    if status in step.sources:
        services.entry_step(actor=superuser, entry=entry, name=step.name, comment="because", **extra)
        entry.refresh_from_db()
        assert entry.status == EXPECTED_TARGET[step.name]
    else:
        with pytest.raises(ValidationError) as error:
            services.entry_step(actor=superuser, entry=entry, name=step.name, comment="because", **extra)
        assert "step" in error.value.message_dict
        entry.refresh_from_db()
        assert entry.status == status


@pytest.mark.django_db
@pytest.mark.parametrize("status", S.values)
def test_workflow_table_assess(status, superuser, matrix):
    entry = RiskEntryFactory(owner=superuser, status=status)
    if status == S.CLOSED:
        with pytest.raises(ValidationError):
            services.entry_step(actor=superuser, entry=entry, name="assess", kind="inherent", likelihood=1, impact=1)
    else:
        services.entry_step(actor=superuser, entry=entry, name="assess", kind="inherent", likelihood=1, impact=1)
        entry.refresh_from_db()
        assert entry.status == (S.ASSESSED if status == S.IDENTIFIED else status)


@pytest.mark.django_db
def test_unknown_step_names_the_step(quality):
    with pytest.raises(ValidationError) as error:
        services.entry_step(actor=quality, entry=RiskEntryFactory(), name="explode")
    assert "step" in error.value.message_dict


@pytest.mark.django_db
def test_start_treatment_needs_an_option_fitting_the_kind(quality, matrix):
    entry = RiskEntryFactory(owner=quality, status="assessed")
    with pytest.raises(ValidationError) as error:
        services.entry_step(actor=quality, entry=entry, name="start_treatment")
    assert "treatment_option" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.entry_step(actor=quality, entry=entry, name="start_treatment", treatment_option="pursue")
    services.entry_step(actor=quality, entry=entry, name="start_treatment", treatment_option="transfer")
    entry.refresh_from_db()
    assert (entry.status, entry.treatment_option) == ("treating", "transfer")


@pytest.mark.django_db
def test_close_and_reopen_keep_the_reason(quality):
    entry = RiskEntryFactory(status="monitoring")
    services.entry_step(actor=quality, entry=entry, name="close", comment="Product discontinued")
    assert (entry.status, entry.closed_reason) == ("closed", "Product discontinued")
    with pytest.raises(ValidationError) as error:
        services.entry_step(actor=quality, entry=entry, name="reopen")
    assert "comment" in error.value.message_dict
    services.entry_step(actor=quality, entry=entry, name="reopen", comment="Back in the range")
    assert (entry.status, entry.closed_reason) == ("assessed", "")


# Effectiveness ---------------------------------------------------------------------------------------


@pytest.fixture
def treated(quality, matrix):
    entry = RiskEntryFactory(owner=quality)
    assess(entry, quality, likelihood=4, impact=4)
    services.entry_step(actor=quality, entry=entry, name="start_treatment", treatment_option="reduce")
    assess(entry, quality, kind="target", likelihood=2, impact=2)
    return entry


@pytest.mark.django_db
def test_effectiveness_review_needs_a_residual_score(quality, treated):
    with pytest.raises(ValidationError) as error:
        services.entry_step(
            actor=quality, entry=treated, name="review_effectiveness", target_reached=True, comment="ok"
        )
    assert "step" in error.value.message_dict


@pytest.mark.django_db
def test_effectiveness_review_is_refused_while_treatment_actions_are_open(quality, treated):
    action = services.treatment_action_create(
        actor=quality, entry=treated, title="Second supplier", owner=quality, due_date=dt.date(2027, 1, 31)
    )
    assert (action.kind, action.source) == ("treatment", treated)
    assess(treated, quality, kind="residual", likelihood=2, impact=2)
    with pytest.raises(ValidationError) as error:
        services.entry_step(actor=quality, entry=treated, name="review_effectiveness", target_reached=True, comment="x")
    assert "step" in error.value.message_dict
    action.status = "done"
    action.save()
    services.entry_step(actor=quality, entry=treated, name="review_effectiveness", target_reached=True, comment="x")
    assert treated.status == "monitoring"


@pytest.mark.django_db
@pytest.mark.parametrize(("reached", "status"), [(True, "monitoring"), (False, "treating")])
def test_effectiveness_review_moves_the_entry(quality, treated, reached, status):
    residual = assess(treated, quality, kind="residual", likelihood=3, impact=3)
    services.entry_step(
        actor=quality, entry=treated, name="review_effectiveness", target_reached=reached, comment="Checked"
    )
    treated.refresh_from_db()
    review = EffectivenessReview.objects.get()
    assert (treated.status, review.target_reached, review.residual, review.notes) == (
        status,
        reached,
        residual,
        "Checked",
    )
    assert treated.next_review_date == services.add_months(timezone.localdate(), treated.review_frequency_months)


@pytest.mark.django_db
def test_effectiveness_review_needs_a_verdict_and_notes(quality, treated):
    assess(treated, quality, kind="residual", likelihood=2, impact=2)
    with pytest.raises(ValidationError) as error:
        services.entry_step(actor=quality, entry=treated, name="review_effectiveness", comment="x")
    assert "target_reached" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.entry_step(actor=quality, entry=treated, name="review_effectiveness", target_reached=False)
    assert "comment" in error.value.message_dict


@pytest.mark.django_db
def test_staff_owner_plans_treatment_of_their_own_entry_only(staff, matrix):
    mine = RiskEntryFactory(owner=staff)
    action = services.treatment_action_create(
        actor=staff, entry=mine, title="Second supplier", owner=staff, due_date=dt.date(2027, 1, 1)
    )
    assert (action.source, action.kind, action.created_by) == (mine, "treatment", staff)
    with pytest.raises(PermissionDenied):
        services.treatment_action_create(
            actor=staff, entry=RiskEntryFactory(), title="x", owner=staff, due_date=dt.date(2027, 1, 1)
        )


@pytest.mark.django_db
def test_auditor_never_raises_treatment_actions_even_as_owner(auditor, matrix):
    with pytest.raises(PermissionDenied):
        services.treatment_action_create(
            actor=auditor, entry=RiskEntryFactory(owner=auditor), title="x", owner=auditor, due_date=dt.date(2027, 1, 1)
        )


@pytest.mark.django_db
def test_open_treatment_counts_only_open_actions(quality, treated):
    from qms.actions.selectors import open_actions_for_source

    ActionFactory(source=treated, kind="treatment", status="done")
    assert not open_actions_for_source(treated).exists()


# Categories ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_category_in_use_cannot_be_deleted(quality):
    category = services.category_save(actor=quality, category=None, data={"name": " Suppliers "})
    assert category.name == "Suppliers"
    RiskEntryFactory(category=category)
    with pytest.raises(ValidationError) as error:
        services.category_delete(actor=quality, category=category)
    assert "category" in error.value.message_dict


@pytest.mark.django_db
def test_unused_category_is_deleted(quality):
    category = services.category_save(actor=quality, category=None, data={"name": "People"})
    services.category_save(actor=quality, category=category, data={"active": False})
    services.category_delete(actor=quality, category=category)
    assert not type(category).objects.exists()


@pytest.mark.django_db
def test_staff_cannot_keep_categories(staff):
    with pytest.raises(PermissionDenied):
        services.category_save(actor=staff, category=None, data={"name": "x"})


def test_add_months_clamps_to_the_month_end():
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


@pytest.mark.django_db
def test_nobody_approves_their_own_acceptance(superuser, matrix):
    entry = RiskEntryFactory(owner=superuser, status=S.ASSESSED, inherent_score=20, inherent_band="critical")
    entry.approval_required, entry.accepted_at, entry.accepted_by = True, timezone.now(), superuser
    entry.save()
    with pytest.raises(ValidationError) as excinfo:
        services.entry_step(actor=superuser, entry=entry, name="approve")
    assert "someone else" in excinfo.value.message_dict["step"][0]


@pytest.mark.django_db
def test_the_quality_manager_may_not_approve_acceptances(quality):
    from qms.accounts.permissions import can

    assert can(quality, "approve", RiskEntry) is False
