import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from qms.kpis.models import Kpi, KpiValue, Objective, ObjectiveKpi, OrderVolume


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"kpiowner{n}")
    first_name = factory.Sequence(lambda n: f"Owner{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")


class KpiFactory(factory.django.DjangoModelFactory):
    """An entered monthly KPI, higher is better, target 95 and warning 90."""

    class Meta:
        model = Kpi

    name = factory.Sequence(lambda n: f"On-time delivery {n}")
    unit = "%"
    direction = "higher"
    target = Decimal("95")
    warning_threshold = Decimal("90")
    frequency = "monthly"
    owner = factory.SubFactory(UserFactory)
    source = "entered"


class ComputedKpiFactory(KpiFactory):
    """A computed KPI: complaints received per month, lower is better, target 10 and warning 15."""

    name = factory.Sequence(lambda n: f"Complaints received {n}")
    unit = "complaints"
    direction = "lower"
    target = Decimal("10")
    warning_threshold = Decimal("15")
    source = "computed"
    figure = "complaints_received"


class KpiValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiValue

    kpi = factory.SubFactory(KpiFactory)
    period_start = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    value = Decimal("96")
    origin = "form"
    recorded_at = factory.LazyFunction(timezone.now)


class OrderVolumeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderVolume
        django_get_or_create = ("month",)

    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    orders = 2000
    entered_by = factory.SubFactory(UserFactory)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    reference = factory.Sequence(lambda n: f"OBJ-T{n:04d}")
    statement = factory.Sequence(lambda n: f"Deliver on time to every customer ({n})")
    owner = factory.SubFactory(UserFactory)
    target_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))


class ObjectiveKpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveKpi

    objective = factory.SubFactory(ObjectiveFactory)
    kpi = factory.SubFactory(KpiFactory)
