"""A small, believable customer register for the demo."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .models import Contact, Customer

DEMO_CUSTOMERS = [
    (
        "ACME-01",
        "Acme Industrial Components",
        "enterprise",
        "active",
        "GB",
        "quality",
        [
            ("Priya Shah", "priya.shah@acme.example", "Purchasing manager", False),
            ("Tom Becker", "tom.becker@acme.example", "Quality engineer", False),
        ],
    ),
    (
        "NORD-02",
        "Nordlicht Medizintechnik GmbH",
        "enterprise",
        "active",
        "DE",
        "quality",
        [("Jana Vogel", "j.vogel@nordlicht.example", "Supplier quality", False)],
    ),
    (
        "CITY-03",
        "Riverside City Council",
        "public",
        "active",
        "GB",
        "staff",
        [("Owen Price", "owen.price@riverside.example", "Contracts officer", True)],
    ),
    (
        "BELL-04",
        "Bellweather Foods",
        "sme",
        "active",
        "IE",
        "staff",
        [("Aoife Byrne", "aoife@bellweather.example", "Operations director", False)],
    ),
    (
        "PACK-05",
        "PackRight Distribution",
        "distributor",
        "active",
        "NL",
        "quality",
        [("Daan de Vries", "daan@packright.example", "Account manager", False)],
    ),
    ("SOLA-06", "Solano Renewables", "sme", "prospect", "ES", "staff", []),
    (
        "KITE-07",
        "Kite & Co. Retail",
        "consumer",
        "inactive",
        "FR",
        None,
        [("Léa Martin", "lea.martin@kite.example", "Buyer", False)],
    ),
    (
        "TECH-08",
        "Techna Precision Ltd",
        "enterprise",
        "active",
        "US",
        "quality",
        [
            ("Chris Nolan", "cnolan@techna.example", "VP Operations", False),
            ("Dana Kim", "dkim@techna.example", "Receiving inspection", False),
        ],
    ),
]


def seed_customers() -> str:
    users = {user.username: user for user in get_user_model().objects.all()}
    created = 0
    for code, name, segment, status, country, owner, contacts in DEMO_CUSTOMERS:
        customer, was_created = Customer.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "segment": segment,
                "status": status,
                "country": country,
                "account_owner": users.get(owner) if owner else None,
            },
        )
        created += was_created
        for contact_name, email, role, opt_out in contacts:
            Contact.objects.get_or_create(
                customer=customer,
                email=email,
                defaults={"name": contact_name, "role": role, "survey_opt_out": opt_out},
            )
    return f"customers: {created} created, {len(DEMO_CUSTOMERS) - created} already there"
