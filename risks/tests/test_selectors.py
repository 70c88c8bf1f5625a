"""Reads of the risk and opportunity log."""

import datetime as dt

import pytest
from django.utils import timezone

from risks import selectors, services
from risks.tests.factories import NON_MULTIPLICATIVE, RiskEntryFactory


def _scored(**fields):
    return RiskEntryFactory(status=fields.pop("status", "assessed"), **fields)


@pytest.mark.django_db
def test_heat_map_counts_open_entries_by_inherent_cell(matrix, auditor):
    _scored(inherent_likelihood=5, inherent_impact=5)
    _scored(inherent_likelihood=5, inherent_impact=5)
    _scored(inherent_likelihood=1, inherent_impact=2)
    _scored(inherent_likelihood=5, inherent_impact=5, status="closed")
    _scored(inherent_likelihood=5, inherent_impact=5, kind="opportunity")
    grid = selectors.heat_map(user=auditor, kind="risk", which="inherent")
    assert grid["matrix"] == matrix
    assert [row["level"] for row in grid["rows"]] == [5, 4, 3, 2, 1]
    top_right = grid["rows"][0]["cells"][4]
    assert (top_right["impact"], top_right["score"], top_right["band"], top_right["count"]) == (5, 25, "critical", 2)
    assert top_right["colour"].startswith("#")
    assert grid["rows"][4]["cells"][1]["count"] == 1
    assert sum(cell["count"] for row in grid["rows"] for cell in row["cells"]) == 3


@pytest.mark.django_db
def test_heat_map_residual_and_opportunities(matrix, auditor):
    _scored(kind="opportunity", inherent_likelihood=4, inherent_impact=4, residual_likelihood=2, residual_impact=3)
    grid = selectors.heat_map(user=auditor, kind="opportunity", which="residual")
    counts = {(row["level"], cell["impact"]): cell["count"] for row in grid["rows"] for cell in row["cells"]}
    assert counts[(2, 3)] == 1 and sum(counts.values()) == 1


@pytest.mark.django_db
def test_heat_map_on_an_older_matrix_version(quality, matrix, auditor):
    services.matrix_save(actor=quality, data=NON_MULTIPLICATIVE)
    grid = selectors.heat_map(user=auditor, kind="risk", which="inherent", matrix=matrix)
    assert len(grid["rows"]) == 5
    current = selectors.heat_map(user=auditor, kind="risk", which="inherent")
    assert len(current["rows"]) == 4 and current["rows"][0]["cells"][0]["score"] == 6


@pytest.mark.django_db
def test_heat_map_shows_nothing_to_someone_without_access(matrix, django_user_model):
    _scored(inherent_likelihood=5, inherent_impact=5)
    nobody = django_user_model.objects.create_user("nobody")
    grid = selectors.heat_map(user=nobody, kind="risk", which="inherent")
    assert sum(cell["count"] for row in grid["rows"] for cell in row["cells"]) == 0


@pytest.mark.django_db
def test_heat_map_takes_two_queries(matrix, auditor, django_assert_num_queries):
    _scored(inherent_likelihood=5, inherent_impact=5)
    auditor.has_perm("risks.view_riskentry")
    with django_assert_num_queries(2):  # the matrix, the counts
        selectors.heat_map(user=auditor, kind="risk", which="inherent")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["risk", "opportunity"])
def test_both_heat_maps_in_one_query_count_what_each_map_counts(matrix, auditor, kind, django_assert_num_queries):
    _scored(kind=kind, inherent_likelihood=4, inherent_impact=4, residual_likelihood=2, residual_impact=3)
    _scored(kind=kind, inherent_likelihood=4, inherent_impact=4, residual_likelihood=1, residual_impact=1)
    _scored(kind=kind, inherent_likelihood=3, inherent_impact=5)  # not scored after treatment yet
    _scored(kind=kind, inherent_likelihood=4, inherent_impact=4, status="closed")
    _scored(kind="risk" if kind == "opportunity" else "opportunity", inherent_likelihood=4, inherent_impact=4)
    auditor.has_perm("risks.view_riskentry")
    with django_assert_num_queries(1):
        both = selectors.heat_maps(user=auditor, kind=kind, matrix=matrix)
    for which in ("inherent", "residual"):
        assert both[which] == selectors.heat_map(user=auditor, kind=kind, which=which, matrix=matrix)
    inherent = {(r["level"], c["impact"]): c["count"] for r in both["inherent"]["rows"] for c in r["cells"]}
    assert inherent[(4, 4)] == 2 and inherent[(3, 5)] == 1 and sum(inherent.values()) == 3


@pytest.mark.django_db
def test_top_entries_by_current_score(auditor):
    low = _scored(inherent_score=20, residual_score=2)
    high = _scored(inherent_score=12)
    _scored(inherent_score=25, status="closed")
    _scored()
    assert selectors.top_entries(user=auditor, kind="risk") == [high, low]


@pytest.mark.django_db
def test_overdue_reviews(auditor):
    today = timezone.localdate()
    late = RiskEntryFactory(next_review_date=today - dt.timedelta(days=3))
    RiskEntryFactory(next_review_date=today - dt.timedelta(days=3), status="closed")
    RiskEntryFactory(next_review_date=today)
    assert list(selectors.overdue_reviews(user=auditor, today=today)) == [late]


@pytest.mark.django_db
def test_entry_list_filters_by_current_band(auditor):
    residual_low = _scored(inherent_band="critical", residual_band="low")
    critical = _scored(inherent_band="critical")
    assert list(selectors.entry_list(user=auditor, filters={"band": "critical"})) == [critical]
    assert list(selectors.entry_list(user=auditor, filters={"band": "low"})) == [residual_low]


@pytest.mark.django_db
def test_entry_list_filters(auditor, staff):
    mine = RiskEntryFactory(owner=staff, title="Flood at the plant", kind="opportunity")
    late = RiskEntryFactory(next_review_date=timezone.localdate() - dt.timedelta(days=1))
    assert list(selectors.entry_list(user=auditor, filters={"q": "flood"})) == [mine]
    assert list(selectors.entry_list(user=auditor, filters={"kind": "opportunity"})) == [mine]
    assert list(selectors.entry_list(user=auditor, filters={"owner": staff.pk})) == [mine]
    assert list(selectors.entry_list(user=auditor, filters={"overdue_review": "true"})) == [late]


@pytest.mark.django_db
def test_score_history_oldest_first_with_matrix_version(quality, matrix):
    entry = RiskEntryFactory(owner=quality)
    services.entry_assess(actor=quality, entry=entry, kind="inherent", likelihood=3, impact=3)
    services.entry_assess(actor=quality, entry=entry, kind="target", likelihood=1, impact=1)
    history = selectors.score_history(entry)
    assert [(a.kind, a.score, a.matrix.version) for a in history] == [("inherent", 9, 1), ("target", 1, 1)]
