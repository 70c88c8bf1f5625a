import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from risks.models import RiskCategory, RiskEntry, RiskMatrix


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"riskowner{n}")
    first_name = factory.Sequence(lambda n: f"Owner{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")


class RiskCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class RiskEntryFactory(factory.django.DjangoModelFactory):
    """An identified risk reviewed in six months; ``status=`` and the score fields may be set directly."""

    class Meta:
        model = RiskEntry

    reference = factory.Sequence(lambda n: f"RSK-T{n:04d}")
    kind = "risk"
    title = factory.Sequence(lambda n: f"Risk {n}")
    owner = factory.SubFactory(UserFactory)
    status = "identified"
    next_review_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))


def levels(n: int, prefix: str = "L") -> list[dict]:
    return [{"label": f"{prefix}{i}", "description": f"level {i}"} for i in range(1, n + 1)]


def matrix_data(scores: list[list[int]], bands: list[dict], name: str = "Test matrix") -> dict:
    return {
        "name": name,
        "likelihood_levels": levels(len(scores)),
        "impact_levels": levels(len(scores[0]), "I"),
        "scores": scores,
        "bands": bands,
    }


def band(name: str, low: int, high: int, *, approval: bool = False) -> dict:
    return {"name": name, "min": low, "max": high, "colour": "#000000", "requires_approval": approval, "rule": ""}


THREE_BY_THREE = matrix_data(
    [[1, 2, 3], [2, 4, 6], [3, 6, 9]],
    [band("low", 1, 2), band("medium", 3, 4), band("high", 5, 6), band("critical", 7, 9, approval=True)],
)
# Not likelihood × impact: impact weighs more than likelihood (a severe impact is high even when rare).
NON_MULTIPLICATIVE = matrix_data(
    [[1, 3, 8, 12], [2, 5, 9, 14], [4, 7, 11, 15], [6, 10, 13, 16]],
    [band("low", 1, 4), band("medium", 5, 8), band("high", 9, 12), band("critical", 13, 16, approval=True)],
)


def unsaved_matrix(data: dict, version: int = 99) -> RiskMatrix:
    return RiskMatrix(version=version, **data)
