import datetime as dt

import factory

from qms.reviews.models import Review
from requirements.tests.factories import UserFactory


class ReviewFactory(factory.django.DjangoModelFactory):
    """A planned review of the first quarter of 2026; ``status=``, ``inputs=`` may be set directly."""

    class Meta:
        model = Review
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"MR-T-{n + 1:02d}")
    review_date = dt.date(2026, 4, 15)
    chair = factory.SubFactory(UserFactory)
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 3, 31)
    status = "planned"
