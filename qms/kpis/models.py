"""KPIs with one value per period, quality objectives (6.2), order volumes, and the dashboard roll-ups."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet

from .choices import Direction, Frequency, KpiSource, ObjectiveStatus, ValueOrigin
from .figures import REGISTRY
from .periods import period_label, period_start
from .status import warning_error


class Kpi(AuditedModel):
    """A key performance indicator: computed from a registered figure, or entered by its owner."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=30, blank=True, help_text="Shown after the value: %, days, complaints…")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    warning_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Amber between this and the target; leave empty for green or red only.",
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kpis")
    source = models.CharField(max_length=10, choices=KpiSource.choices, default=KpiSource.ENTERED)
    figure = models.CharField(max_length=40, blank=True, help_text="The registered figure a computed KPI shows.")
    segment = models.CharField(
        max_length=20, blank=True, help_text="Only this customer segment, where the figure allows."
    )
    product = models.CharField(max_length=200, blank=True, help_text="Only this product, where the figure allows.")
    opens_action_on_miss = models.BooleanField("open an action when a closed period misses the target", default=False)
    action_due_days = models.PositiveSmallIntegerField("days to complete that action", default=30)
    active = models.BooleanField(default=True, help_text="Inactive KPIs are kept with their values but not computed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        permissions = [("export_kpi", "Can export KPIs")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("kpis:kpi_detail", self.pk)

    def clean(self) -> None:
        errors = {}
        if self.source == KpiSource.COMPUTED:
            if not self.figure:
                errors["figure"] = "Pick the figure a computed KPI is computed from."
            elif self.figure not in REGISTRY:
                errors["figure"] = "This figure is not registered."
        elif self.figure:
            errors["figure"] = "Only computed KPIs take a figure; leave it empty for a KPI its owner enters."
        figure = REGISTRY.get(self.figure)
        if self.segment and (figure is None or "segment" not in figure.filters):
            errors["segment"] = "Only computed KPIs on complaint or survey figures can be limited to a segment."
        if self.product and (figure is None or "product" not in figure.filters):
            errors["product"] = "Only computed KPIs on complaint figures can be limited to a product."
        message = warning_error(self.target, self.warning_threshold, self.direction)
        if message:
            errors["warning_threshold"] = message
        if errors:
            raise ValidationError(errors)

    @property
    def registered_figure(self):
        return REGISTRY.get(self.figure) if self.source == KpiSource.COMPUTED else None

    @property
    def is_computed(self) -> bool:
        return self.source == KpiSource.COMPUTED


class KpiValue(AuditedModel):
    """A KPI's value for one period: who entered or computed it, when, and whether the period had closed."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="values")
    period_start = models.DateField(help_text="First day of the month or quarter.")
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    final = models.BooleanField(default=False, help_text="Recorded after the period had ended.")
    origin = models.CharField(max_length=10, choices=ValueOrigin.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the nightly job computed it.",
    )
    recorded_at = models.DateTimeField()
    note = models.TextField(blank=True)
    action = models.ForeignKey(
        "actions.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The action opened because this period missed the target.",
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("kpi", "-period_start")
        verbose_name = "KPI value"
        verbose_name_plural = "KPI values"
        constraints = [models.UniqueConstraint(fields=["kpi", "period_start"], name="one_value_per_kpi_period")]
        indexes = [models.Index(fields=["period_start"])]
        permissions = [
            ("export_kpivalue", "Can export KPI values"),
            ("enter_kpivalue", "Can enter values of the KPIs they own"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.period_label}: {self.value if self.value is not None else 'no data'}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.kpi.frequency)

    def clean(self) -> None:
        if (
            self.period_start
            and self.kpi_id
            and period_start(self.period_start, self.kpi.frequency) != self.period_start
        ):
            raise ValidationError({"period_start": "Give the first day of the month or quarter."})


class OrderVolume(AuditedModel):
    """Orders delivered in a month: the denominator of complaints per 1,000 orders."""

    month = models.DateField(unique=True, help_text="First day of the month.")
    orders = models.PositiveIntegerField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-month",)
        verbose_name = "order volume"
        verbose_name_plural = "order volumes"

    def __str__(self) -> str:
        return f"{self.month:%b %Y}: {self.orders} orders"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Give the first day of the month."})


class Objective(AuditedModel):
    """A quality objective (6.2): what will be achieved, by whom, by when, measured by KPIs, planned
    through actions (actions whose source is the objective)."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    statement = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="objectives")
    target_date = models.DateField()
    status_override = models.CharField(
        "status set by hand",
        max_length=10,
        choices=ObjectiveStatus.choices,
        blank=True,
        help_text="Leave empty to derive the status from the KPIs.",
    )
    override_reason = models.TextField(blank=True)
    kpis = models.ManyToManyField(Kpi, through="ObjectiveKpi", related_name="objectives", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("target_date", "reference")
        verbose_name = "quality objective"
        verbose_name_plural = "quality objectives"
        permissions = [("export_objective", "Can export quality objectives")]

    def __str__(self) -> str:
        first_line = self.statement.strip().splitlines()[0] if self.statement.strip() else ""
        return f"{self.reference} {first_line[:80]}".strip()

    def get_absolute_url(self) -> str:
        return record_url("kpis:objective_detail", self.pk)

    def clean(self) -> None:
        if self.status_override and not self.override_reason.strip():
            raise ValidationError({"override_reason": "Say why the status is set by hand."})


class ObjectiveKpi(AuditedModel):
    """A KPI measuring an objective, with the objective's own target (the KPI's when empty)."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measures")
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="measures")
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("objective", "kpi__name")
        verbose_name = "objective KPI"
        verbose_name_plural = "objective KPIs"
        constraints = [models.UniqueConstraint(fields=["objective", "kpi"], name="one_link_per_objective_kpi")]

    def __str__(self) -> str:
        return f"{self.objective.reference} ← {self.kpi}"

    @property
    def effective_target(self):
        return self.target if self.target is not None else self.kpi.target


class ObjectiveCounter(models.Model):
    """The last objective number handed out (``OBJ-0001``), locked while a new one is numbered."""

    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"OBJ-{self.last:04d}"


class FigureValue(models.Model):
    """Roll-up: a registered figure for one month (and filter), so dashboards read stored numbers.

    Rows for closed months are written once and kept (a closed month's figure does not change);
    the current month's row is refreshed when older than the dashboard's maximum age. Derived data,
    not a record: not on the audit trail.
    """

    figure = models.CharField(max_length=40)
    month = models.DateField()
    segment = models.CharField(max_length=20, blank=True)
    product = models.CharField(max_length=200, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    closed = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["figure", "month", "segment", "product"], name="one_rollup_per_month")
        ]
        indexes = [models.Index(fields=["month", "figure"])]

    def __str__(self) -> str:
        return f"{self.figure} {self.month:%Y-%m}: {self.value}"


class DashboardSnapshot(models.Model):
    """The scorecard as computed for one range and filter, served until it is older than the maximum age.

    Its ``view`` permission is the permission to see the dashboards (they count every record, so roles
    that see only their own records do not hold it)."""

    key = models.CharField(max_length=64, unique=True)
    params = models.JSONField()
    data = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "dashboard"
        verbose_name_plural = "dashboards"

    def __str__(self) -> str:
        return f"Dashboard {self.params} at {self.computed_at:%Y-%m-%d %H:%M}"
