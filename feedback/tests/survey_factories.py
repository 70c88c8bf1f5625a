"""Survey factories: rows written directly, for figure, list and permission tests.

Prefer the services (``feedback.services.surveys``, ``feedback.services.survey_delivery``) where the
workflow matters; these write the rows as those services would leave them.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from feedback.choices import CampaignStatus, InvitationStatus, QuestionType
from feedback.models import Answer, Campaign, Invitation, Question, SurveyResponse, SurveyTemplate


class SurveyTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyTemplate

    code = factory.Sequence(lambda n: f"template-{n}")
    name = factory.Sequence(lambda n: f"Relationship survey {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    template = factory.SubFactory(SurveyTemplateFactory)
    order = factory.Sequence(lambda n: n + 1)
    type = QuestionType.NPS
    text = factory.Sequence(lambda n: f"Question {n}?")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Campaign {n}")
    template = factory.SubFactory(SurveyTemplateFactory)
    status = CampaignStatus.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))

    @factory.post_generation
    def customers(self, create, extracted, **kwargs):
        if create and extracted:
            self.customers.set(extracted)


class InvitationFactory(factory.django.DjangoModelFactory):
    """A sent invitation (``sent_at`` now, status "sent") to a customer."""

    class Meta:
        model = Invitation

    campaign = factory.SubFactory(CampaignFactory)
    customer = factory.SubFactory(CustomerFactory)
    email = factory.Sequence(lambda n: f"respondent{n}@example.com")
    name = factory.Sequence(lambda n: f"Respondent {n}")
    status = InvitationStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)
    last_message_at = factory.SelfAttribute("sent_at")


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """The response to a (new, sent) invitation, with the customer's segment at the time."""

    class Meta:
        model = SurveyResponse

    campaign = factory.SubFactory(CampaignFactory)
    customer = factory.SubFactory(CustomerFactory)
    segment = factory.LazyAttribute(lambda o: o.customer.segment if o.customer else "")
    invitation = factory.SubFactory(
        InvitationFactory,
        campaign=factory.SelfAttribute("..campaign"),
        customer=factory.SelfAttribute("..customer"),
        status=InvitationStatus.RESPONDED,
    )
    submitted_at = factory.LazyFunction(timezone.now)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(SurveyResponseFactory)
    question = factory.SubFactory(QuestionFactory)
