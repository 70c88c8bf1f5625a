from functools import lru_cache

from django.db import models
from django.utils.translation import get_language
from django_countries import countries


def country_choices() -> list[tuple[str, str]]:
    """``(code, name)`` pairs of every country as plain strings, sorted by name in the active language.

    A callable for filter choices: a list of django-countries' tuples with lazy names was deep-copied,
    250 objects at a time, twice for every list page."""
    return _country_choices(get_language())


@lru_cache(maxsize=16)
def _country_choices(language: str | None) -> list[tuple[str, str]]:
    return [(str(code), str(name)) for code, name in countries]


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    SME = "sme", "Small and medium business"
    PUBLIC = "public", "Public sector"
    DISTRIBUTOR = "distributor", "Distributor"
    CONSUMER = "consumer", "Consumer"


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
