import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from requirements.models import Evaluation, InterestedParty, Requirement, RequirementVersion


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")


class InterestedPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestedParty

    name = factory.Sequence(lambda n: f"Party {n}")
    kind = "regulator"


class RequirementFactory(factory.django.DjangoModelFactory):
    """A customer-specified requirement; its first version's wording is kept as services keep it."""

    class Meta:
        model = Requirement
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"REQ-{n + 1:04d}")
    title = factory.Sequence(lambda n: f"Requirement {n}")
    text = "Deliver with a certificate of conformity."
    kind = "specified"
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.SubFactory(UserFactory)
    status = "active"
    next_review_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))

    @factory.post_generation
    def first_version(obj, create, extracted, **kwargs):
        if create:
            RequirementVersion.objects.get_or_create(
                requirement=obj,
                version=obj.version,
                defaults={"title": obj.title, "text": obj.text, "changed_by_name": "factory"},
            )


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    requirement = factory.SubFactory(RequirementFactory)
    evaluated_on = factory.LazyFunction(timezone.localdate)
    evaluator = factory.SubFactory(UserFactory)
    result = "met"
    findings = "Checked the last three deliveries."
