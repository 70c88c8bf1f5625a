"""seed_scale: the asked-for volumes, references that continue the registers' own numbering, an audit
chain that still verifies, and a second run that adds more."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import Customer
from feedback.models import FeedbackItem, ReferenceCounter
from feedback.services import feedback_log
from qms.audit.models import AuditChainHead, AuditEntry, AuditVerification
from requirements.models import Requirement, RequirementVersion
from requirements.services import requirement_next_reference
from risks.models import RiskEntry, RiskReferenceCounter
from risks.services import entry_create

pytestmark = pytest.mark.django_db

SIZES = {"customers": 30, "feedback": 200, "requirements": 20, "risks": 20, "audit": 500}


def seed(**overrides) -> str:
    out = io.StringIO()
    options = {"seed": 11, "batch_size": 64, **SIZES, **overrides}
    call_command("seed_scale", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "feedback": FeedbackItem.objects.count(),
        "requirements": Requirement.objects.count(),
        "risks": RiskEntry.objects.count(),
    }


def test_seeds_the_requested_number_of_rows(quality):
    audit_before = AuditEntry.objects.count()
    seed()
    assert counts() == {name: SIZES[name] for name in ("customers", "feedback", "requirements", "risks")}
    # Seeding also writes a few audited rows of its own (categories, the risk matrix).
    assert AuditEntry.objects.count() - audit_before >= SIZES["audit"]
    assert RequirementVersion.objects.count() == SIZES["requirements"]


def test_any_subset_of_tables_may_be_seeded(quality):
    seed(customers=0, feedback=25, requirements=0, risks=0, audit=0)
    assert counts() == {"customers": 0, "feedback": 25, "requirements": 0, "risks": 0}


def test_seeded_data_spreads_over_statuses_and_years(quality):
    seed()
    statuses = Counter(FeedbackItem.objects.values_list("status", flat=True))
    assert len(statuses) >= 4
    years = {item.received_at.year for item in FeedbackItem.objects.all()}
    assert len(years) >= 2
    assert {"active", "inactive"} <= set(Customer.objects.values_list("status", flat=True))


def test_audit_chain_still_verifies_after_seeding(quality):
    seed()
    out = io.StringIO()
    call_command("verify_audit_trail", stdout=out)
    assert "intact" in out.getvalue()
    head = AuditChainHead.objects.get(pk=1)
    assert head.seq == AuditEntry.objects.count()
    assert AuditVerification.objects.latest("checked_at").intact


def test_feedback_references_are_unique_and_the_counter_continues_after_them(quality):
    seed()
    references = list(FeedbackItem.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))
    year = timezone.localdate().year
    counter = ReferenceCounter.objects.get(prefix="CMP", year=year)
    seeded = [int(ref.rsplit("-", 1)[1]) for ref in references if ref.startswith(f"CMP-{year}-")]
    assert counter.last == max(seeded)
    item = feedback_log(actor=quality, data={"summary": "Rang us", "description": "By phone"})
    assert item.reference == f"CMP-{year}-{counter.last + 1:05d}"


def test_risk_and_requirement_numbering_continue_after_the_seeded_ones(quality):
    seed()
    risk_last = RiskReferenceCounter.objects.get(prefix="RSK").last
    assert RiskEntry.objects.filter(kind="risk").count() == risk_last
    entry = entry_create(actor=quality, data={"title": "Supplier fails", "kind": "risk"})
    assert entry.reference == f"RSK-{risk_last + 1:04d}"
    numbers = [int(re.sub(r"\D", "", ref)) for ref in Requirement.objects.values_list("reference", flat=True)]
    assert requirement_next_reference() == f"REQ-{max(numbers) + 1:04d}"


def test_running_twice_adds_more_rows_and_keeps_everything_valid(quality):
    seed()
    seed(seed=12)
    assert counts() == {name: 2 * SIZES[name] for name in ("customers", "feedback", "requirements", "risks")}
    for model, field in ((Customer, "code"), (FeedbackItem, "reference"), (Requirement, "reference")):
        values = list(model.objects.values_list(field, flat=True))
        assert len(values) == len(set(values)), model
    out = io.StringIO()
    call_command("verify_audit_trail", stdout=out)
    assert "intact" in out.getvalue()


def test_scale_users_are_created_when_there_are_no_users():
    seed(customers=5, feedback=0, requirements=0, risks=0, audit=0)
    owners = set(Customer.objects.values_list("account_owner__username", flat=True))
    assert owners and all(name.startswith("scale.") for name in owners)


@pytest.mark.parametrize("target", ["/audit/", "customer", "feedback", "requirement", "risk"])
def test_pages_show_the_seeded_records_and_their_history(target, quality, client_for):
    seed()
    client = client_for(quality)
    models = {"customer": Customer, "feedback": FeedbackItem, "requirement": Requirement, "risk": RiskEntry}
    page = target
    if page in models:
        # The record the most seeded audit entries name, so its history panel has seeded lines to show.
        label = models[page]._meta.label_lower
        object_id = Counter(AuditEntry.objects.filter(content_type=label).values_list("object_id", flat=True))
        page = models[page].objects.get(pk=object_id.most_common(1)[0][0]).get_absolute_url()
    response = client.get(page)
    assert response.status_code == 200
