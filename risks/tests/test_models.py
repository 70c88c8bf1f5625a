"""The risk matrix: grid lookups, bands and the validation of a matrix."""

import copy

import pytest
from django.core.exceptions import ValidationError

from risks.services import DEFAULT_MATRIX, active_matrix
from risks.tests.factories import NON_MULTIPLICATIVE, THREE_BY_THREE, band, levels, matrix_data, unsaved_matrix


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "band_name"),
    [(1, 1, 1, "low"), (2, 2, 4, "medium"), (2, 3, 6, "high"), (3, 3, 9, "critical"), (3, 1, 3, "medium")],
)
def test_three_by_three_lookup(likelihood, impact, score, band_name):
    matrix = unsaved_matrix(THREE_BY_THREE)
    assert matrix.score(likelihood, impact) == score
    assert matrix.band_for(score)["name"] == band_name


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "band_name"),
    [(1, 1, 1, "low"), (2, 2, 4, "low"), (1, 5, 5, "medium"), (3, 3, 9, "medium"), (2, 5, 10, "high")]
    + [(4, 4, 16, "high"), (4, 5, 20, "critical"), (5, 5, 25, "critical")],
)
def test_default_five_by_five_lookup(likelihood, impact, score, band_name):
    matrix = unsaved_matrix(DEFAULT_MATRIX)
    assert matrix.size == (5, 5)
    assert matrix.score(likelihood, impact) == score
    assert matrix.band_for(score)["name"] == band_name


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "band_name"),
    [(1, 4, 12, "high"), (4, 1, 6, "medium"), (2, 3, 9, "high"), (3, 2, 7, "medium"), (4, 4, 16, "critical")],
)
def test_non_multiplicative_grid_is_read_not_computed(likelihood, impact, score, band_name):
    matrix = unsaved_matrix(NON_MULTIPLICATIVE)
    assert matrix.score(likelihood, impact) == score
    assert matrix.band_for(score)["name"] == band_name


def test_only_critical_needs_approval_in_the_default_matrix():
    assert [b["name"] for b in DEFAULT_MATRIX["bands"] if b["requires_approval"]] == ["critical"]
    assert [(b["min"], b["max"]) for b in DEFAULT_MATRIX["bands"]] == [(1, 4), (5, 9), (10, 16), (17, 25)]


def test_levels_outside_the_grid_are_refused():
    with pytest.raises(ValueError):
        unsaved_matrix(THREE_BY_THREE).score(4, 1)


@pytest.mark.parametrize("data", [DEFAULT_MATRIX, THREE_BY_THREE, NON_MULTIPLICATIVE])
def test_valid_matrices_pass_clean(data):
    unsaved_matrix(data).clean()


def _broken(**changes) -> dict:
    data = copy.deepcopy(THREE_BY_THREE)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_broken(likelihood_levels=levels(2)), "likelihood_levels"),
        (_broken(impact_levels=levels(7)), "impact_levels"),
        (_broken(likelihood_levels=[{"label": ""}, {"label": "b"}, {"label": "c"}]), "likelihood_levels"),
        (_broken(scores=[[1, 2, 3], [2, 4, 6]]), "scores"),
        (_broken(scores=[[1, 2, 3], [2, 4, 6], [3, 6, -1]]), "scores"),
        (_broken(bands=[band("low", 1, 5), band("high", 5, 9)]), "bands"),
        (_broken(bands=[band("low", 1, 4), band("low", 5, 9)]), "bands"),
        (_broken(bands=[band("low", 1, 4), band("extreme", 5, 9)]), "bands"),
        (_broken(bands=[band("low", 1, 4), band("high", 7, 9)]), "bands"),
        (_broken(bands=[band("low", 4, 1), band("high", 5, 9)]), "bands"),
    ],
    ids=["too-few", "too-many", "no-label", "rows", "negative", "overlap", "twice", "unknown", "gap", "reversed"],
)
def test_invalid_matrix_names_the_field(data, field):
    with pytest.raises(ValidationError) as error:
        unsaved_matrix(data).clean()
    assert field in error.value.message_dict


def test_six_by_six_is_the_largest():
    scores = [[r * c for c in range(1, 7)] for r in range(1, 7)]
    unsaved_matrix(matrix_data(scores, [band("low", 1, 36)])).clean()


@pytest.mark.django_db
def test_active_matrix_creates_version_one_once():
    from risks.models import RiskMatrix

    RiskMatrix.objects.all().delete()
    first = active_matrix()
    assert (first.version, first.active, first.size) == (1, True, (5, 5))
    assert active_matrix() == first
    assert RiskMatrix.objects.count() == 1


@pytest.mark.django_db
def test_data_migration_ships_the_default_matrix_idempotently():
    import importlib

    from django.apps import apps

    from risks.models import RiskMatrix

    migration = importlib.import_module("risks.migrations.0002_default_matrix")
    migration.create_default_matrix(apps, None)
    migration.create_default_matrix(apps, None)
    assert RiskMatrix.objects.count() == 1
    assert RiskMatrix.objects.get().active
