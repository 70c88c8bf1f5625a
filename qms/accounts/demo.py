"""Demo users: one per role, all with the password ``qms-demo``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from qms.core.demo import DEMO_PASSWORD

from .roles import AUDITOR, QUALITY_MANAGER, STAFF, TOP_MANAGEMENT

DEMO_USERS = [
    # username, first name, last name, role (None: superuser)
    ("quality", "Quinn", "Harper", QUALITY_MANAGER),
    ("management", "Morgan", "Reyes", TOP_MANAGEMENT),
    ("staff", "Sam", "Okafor", STAFF),
    ("auditor", "Alex", "Lindqvist", AUDITOR),
    ("admin", "Ada", "Admin", None),
]


def seed_users() -> str:
    user_model = get_user_model()
    created = 0
    for username, first, last, role in DEMO_USERS:
        if user_model.objects.filter(username=username).exists():
            continue
        user = user_model(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.com",
            is_superuser=role is None,
            is_staff=role is None,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        created += 1
    return f"users: {created} created, {len(DEMO_USERS) - created} already there"
