import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qms.actions.models import Action


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"owner{n}")
    first_name = factory.Sequence(lambda n: f"Owner{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")


class ActionFactory(factory.django.DjangoModelFactory):
    """An open corrective action due in 30 days; ``source=<record>`` raises it from that record."""

    class Meta:
        model = Action

    kind = "corrective"
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    status = "open"

    @classmethod
    def _create(cls, model_class, *args, source=None, **kwargs):
        if source is not None:
            kwargs.update(
                source_type=ContentType.objects.get_for_model(source), source_id=source.pk, source_label=str(source)
            )
        return super()._create(model_class, *args, **kwargs)
