from functools import lru_cache

from django.db import models
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language
from django_countries import countries


class _NormalChoices(BaseChoiceIterator):
    """Choices already in Django's normal form: a form field iterates them as they are (a plain list is
    normalised again, pair by pair, on every iteration: 250 countries, twice per list page)."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)


def country_choices() -> _NormalChoices:
    """``(code, name)`` pairs of every country as plain strings, sorted by name in the active language.

    A callable for filter choices: a list of django-countries' tuples with lazy names was deep-copied,
    250 objects at a time, twice for every list page."""
    return _country_choices(get_language())


@lru_cache(maxsize=16)
def _country_choices(language: str | None) -> _NormalChoices:
    return _NormalChoices([(str(code), str(name)) for code, name in countries])


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
