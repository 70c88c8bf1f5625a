import datetime as dt

import pytest

ANSWERS = {
    "done_well": "Complaints fell after the packaging change.",
    "to_improve": "Resolution within target is still below 90%.",
    "switch_risk": "Missing a delivery date twice in a row.",
}


@pytest.fixture
def planned(quality, management):
    """A review planned by the quality manager, chaired by top management, for the first quarter."""
    from qms.reviews.services import review_create

    return review_create(
        actor=quality,
        data={
            "review_date": dt.date(2026, 4, 15),
            "chair": management,
            "attendees": [quality, management],
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 3, 31),
        },
    )


@pytest.fixture
def prepared(planned, quality):
    from qms.reviews.services import review_prepare

    return review_prepare(actor=quality, review=planned)


@pytest.fixture
def held(prepared, quality):
    from qms.reviews.services import review_hold

    return review_hold(actor=quality, review=prepared, data={**ANSWERS, "minutes": "All attended."})


@pytest.fixture
def approved(held, management):
    from qms.reviews.services import review_approve

    review_approve(actor=management, review=held, password="pw-management")
    held.refresh_from_db()
    return held
