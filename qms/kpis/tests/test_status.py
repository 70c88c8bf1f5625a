from decimal import Decimal

import pytest

from qms.kpis.status import objective_status, rag, warning_error


@pytest.mark.parametrize(
    ("value", "expected"),
    [(96, "green"), (95, "green"), (94.99, "amber"), (90, "amber"), (89.99, "red"), (0, "red")],
)
def test_higher_is_better(value, expected):
    assert rag(value, Decimal("95"), Decimal("90"), "higher") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(9, "green"), (10, "green"), (10.01, "amber"), (15, "amber"), (15.01, "red"), (100, "red")],
)
def test_lower_is_better(value, expected):
    assert rag(value, Decimal("10"), Decimal("15"), "lower") == expected


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_without_a_warning_threshold_a_value_is_green_or_red(direction):
    near_miss = 94 if direction == "higher" else 96
    assert rag(95, 95, None, direction) == "green"
    assert rag(near_miss, 95, None, direction) == "red"


def test_no_value_or_no_target_has_no_status():
    assert rag(None, 95, 90, "higher") == "none"
    assert rag(50, None, None, "lower") == "none"


def test_negative_targets_work_for_nps():
    assert rag(-5, -10, -20, "higher") == "green"
    assert rag(-15, -10, -20, "higher") == "amber"
    assert rag(-25, -10, -20, "higher") == "red"


def test_warning_threshold_must_sit_on_the_missing_side_of_the_target():
    assert warning_error(95, 97, "higher") is not None
    assert warning_error(95, 90, "higher") is None
    assert warning_error(10, 5, "lower") is not None
    assert warning_error(10, 15, "lower") is None


@pytest.mark.parametrize(
    ("statuses", "passed", "expected"),
    [
        (["green", "red"], False, "off_track"),
        (["green", "amber"], False, "at_risk"),
        (["green", "green"], False, "on_track"),
        (["green", "green"], True, "achieved"),
        (["green", "none"], True, "on_track"),
        (["none"], False, None),
        ([], True, None),
    ],
)
def test_objective_status_from_its_kpis(statuses, passed, expected):
    assert objective_status(statuses, target_date_passed=passed) == expected
