"""A small, believable requirements register for the demo, written through the services."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from customers.models import Customer
from qms.accounts.roles import STAFF

from . import services
from .models import ContextIssue, InterestedParty, Requirement

DEMO_PARTIES = [
    {
        "name": "Nordlicht Medizintechnik GmbH",
        "kind": "customer",
        "customer_code": "NORD-02",
        "relevance": "high",
        "needs": "Certificate of conformity with every lot\nChange notification 90 days ahead",
    },
    {
        "name": "Health and Safety Executive",
        "kind": "regulator",
        "customer_code": None,
        "relevance": "high",
        "needs": "Safe systems of work\nReporting of dangerous occurrences",
    },
]
DEMO_ISSUE = {
    "scope": "external",
    "title": "Tighter EU rules for medical device suppliers",
    "description": "The EU Medical Device Regulation raises traceability expectations on the supply chain.",
    "effect": "Customer audits ask for lot traceability and supplier qualification records.",
}


def _requirements(today: dt.date, customers: dict, parties: dict, owner) -> list[dict]:
    return [
        {
            "reference": "REQ-0001",
            "title": "Certificate of conformity with every delivery",
            "text": "Each delivery to Nordlicht carries a certificate of conformity signed by quality, "
            "naming the lot numbers and the drawing revision.",
            "kind": "contractual",
            "customer": customers.get("NORD-02"),
            "party": parties.get("Nordlicht Medizintechnik GmbH"),
            "applicability": "Machined housings, Nordlicht, Leeds site",
            "criticality": "high",
            "status": "active",
        },
        {
            "reference": "REQ-0002",
            "title": "Traceability of devices supplied into the EU",
            "text": "Keep records that let every supplied component be traced to its lot and raw material, "
            "and keep them for the lifetime of the device plus 15 years.",
            "kind": "regulatory",
            "legal_reference": "Regulation (EU) 2017/745 (MDR), Art. 25",
            "jurisdiction": "European Union",
            "authority": "National competent authorities",
            "applicability": "Medical device components",
            "criticality": "critical",
            "status": "active",
        },
        {
            "reference": "REQ-0003",
            "title": "Personal data of customer contacts",
            "text": "Process customer contacts' personal data lawfully, keep it no longer than needed and "
            "honour requests to opt out of surveys.",
            "kind": "statutory",
            "legal_reference": "UK GDPR and Data Protection Act 2018, Art. 5",
            "jurisdiction": "United Kingdom",
            "authority": "Information Commissioner's Office",
            "applicability": "Customer contacts, surveys",
            "criticality": "medium",
            "status": "active",
        },
        {
            "reference": "REQ-0004",
            "title": "Delivery within the agreed window",
            "text": "Deliver within the two-day window agreed on each order; tell the customer before the window "
            "is missed.",
            "kind": "implied",
            "customer": customers.get("ACME-01"),
            "applicability": "All products",
            "criticality": "medium",
            "status": "draft",
        },
    ]


def seed_requirements() -> str:
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["quality", "staff"])}
    quality = users.get("quality")
    if quality is None:
        return "skipped: the demo users are missing"
    today = timezone.localdate()
    customers = {customer.code: customer for customer in Customer.objects.filter(code__in=["NORD-02", "ACME-01"])}

    parties = {party.name: party for party in InterestedParty.objects.all()}
    created_parties = 0
    for row in DEMO_PARTIES:
        if row["name"] in parties or (row["customer_code"] and row["customer_code"] not in customers):
            continue
        data = {key: value for key, value in row.items() if key != "customer_code"}
        data["customer"] = customers.get(row["customer_code"]) if row["customer_code"] else None
        data["review_date"] = today + dt.timedelta(days=270)
        parties[row["name"]] = services.party_save(actor=quality, party=None, data=data)
        created_parties += 1

    created_issues = 0
    if not ContextIssue.objects.filter(title=DEMO_ISSUE["title"]).exists():
        services.issue_save(
            actor=quality, issue=None, data={**DEMO_ISSUE, "review_date": today + dt.timedelta(days=180)}
        )
        created_issues = 1

    staff_role = Group.objects.filter(name=STAFF).first()
    existing = set(Requirement.objects.values_list("reference", flat=True))
    created = 0
    for row in _requirements(today, customers, parties, quality):
        if row["reference"] in existing:
            continue
        if row["kind"] in ("contractual", "implied") and row.get("customer") is None:
            continue
        requirement = services.requirement_create(
            actor=quality,
            data={**row, "owner": quality, "next_review_date": today + dt.timedelta(days=120 + 30 * created)},
        )
        created += 1
        if staff_role and requirement.status == "active":
            services.assignment_add(actor=quality, requirement=requirement, group=staff_role)
        if requirement.reference == "REQ-0001":
            services.evaluation_record(
                actor=quality,
                requirement=requirement,
                data={
                    "evaluated_on": today - dt.timedelta(days=20),
                    "result": "met",
                    "findings": "Certificates present and signed for the last ten deliveries.",
                    "next_due_date": today + dt.timedelta(days=160),
                },
            )
            if "staff" in users:
                services.requirement_acknowledge(actor=users["staff"], requirement=requirement)
        elif requirement.reference == "REQ-0002":
            services.evaluation_record(
                actor=quality,
                requirement=requirement,
                data={
                    "evaluated_on": today - dt.timedelta(days=10),
                    "result": "not_met",
                    "findings": "Two lots shipped in March cannot be traced to their bar stock.",
                    "next_due_date": today + dt.timedelta(days=80),
                },
                action={
                    "title": "Record bar-stock heat numbers on every traveller",
                    "owner": quality,
                    "due_date": today + dt.timedelta(days=30),
                },
            )
    return (
        f"requirements: {created} requirements, {created_parties} interested parties and "
        f"{created_issues} context issue(s) created"
    )
