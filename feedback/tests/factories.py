import factory
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from feedback.models import Category, FeedbackItem
from requirements.tests.factories import UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class FeedbackItemFactory(factory.django.DjangoModelFactory):
    """A complaint as the services would record it (reference and due times set by ``feedback_log``).

    Prefer ``feedback.services.feedback_log`` where the workflow matters; this factory writes directly
    for list and filter tests.
    """

    class Meta:
        model = FeedbackItem

    # A prefix of its own: the services number CMP-… through ReferenceCounter.
    reference = factory.Sequence(lambda n: f"TST-2026-{n + 1:05d}")
    kind = "complaint"
    status = "received"
    channel = "phone"
    received_at = factory.LazyFunction(timezone.now)
    customer = factory.SubFactory(CustomerFactory)
    summary = factory.Sequence(lambda n: f"Late delivery {n}")
    description = "The order arrived three days late."
    category = factory.SubFactory(CategoryFactory)
    logged_by = factory.SubFactory(UserFactory)
