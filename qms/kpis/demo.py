"""Demo KPIs, order volumes, a year of entered values and two quality objectives."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from qms.audit.context import audit_context

from . import services
from .models import Kpi, Objective
from .periods import add_periods, period_start

# name, figure (None: entered), unit, direction, target, warning, owner
DEMO_KPIS = [
    ("Complaints received per month", "complaints_received", "complaints", "lower", "8", "12", "quality"),
    ("Complaints per 1,000 orders", "complaints_per_1000_orders", "per 1,000 orders", "lower", "3", "5", "quality"),
    ("Complaints resolved within target", "resolved_within_target_pct", "%", "higher", "90", "80", "quality"),
    ("Net Promoter Score", "nps", "NPS", "higher", "40", "30", "management"),
    ("Customer satisfaction (CSAT)", "csat_pct", "%", "higher", "85", "75", "management"),
    ("Requirements met", "requirements_met_pct", "%", "higher", "95", "85", "quality"),
    ("Overdue actions", "overdue_actions", "actions", "lower", "0", "3", "quality"),
    ("On-time delivery", None, "%", "higher", "95", "90", "staff"),
    ("Customer retention", None, "%", "higher", "92", "88", "management"),
]
# Twelve months of entered values, oldest first.
ON_TIME = ["93.1", "94.0", "95.2", "96.0", "94.8", "95.5", "96.3", "97.0", "95.9", "93.7", "96.4", "96.8"]
RETENTION = ["90.5", "91.0", "91.2", "91.8", "92.0", "92.4", "92.1", "92.9", "93.0", "93.2", "93.5", "93.4"]
ORDERS = [2100, 1980, 2240, 2310, 2400, 2150, 1890, 2050, 2380, 2460, 2520, 2290]


def seed_kpis() -> str:
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=["quality", "management", "staff"])
    }
    quality = users.get("quality")
    if quality is None:
        return "kpis: skipped (no demo users)"
    if Kpi.objects.exists():
        return "kpis: already there"
    today = timezone.localdate()
    first = add_periods(period_start(today), -12)
    with audit_context(source="cli"):
        for number, orders in enumerate(ORDERS):
            services.order_volume_set(actor=quality, month=add_periods(first, number), orders=orders)
        kpis = {}
        for name, figure, unit, direction, target, warning, owner in DEMO_KPIS:
            kpis[name] = services.kpi_create(
                actor=quality,
                name=name,
                unit=unit,
                direction=direction,
                target=Decimal(target),
                warning_threshold=Decimal(warning),
                frequency="monthly",
                owner=users.get(owner, quality),
                source="computed" if figure else "entered",
                figure=figure or "",
                opens_action_on_miss=figure == "resolved_within_target_pct",
            )
        for number in range(12):
            month = add_periods(first, number)
            for name, series in (("On-time delivery", ON_TIME), ("Customer retention", RETENTION)):
                services.value_record(actor=quality, kpi=kpis[name], period_start=month, value=series[number])
        services.objective_create(
            actor=quality,
            statement="Deliver on time to every customer: 97 % of orders on the promised day by the end of next year.",
            owner=users.get("staff", quality),
            target_date=add_periods(period_start(today), 13),
            measures=[{"kpi": kpis["On-time delivery"], "target": Decimal("97")}],
        )
        services.objective_create(
            actor=quality,
            statement="Answer complaints faster: 90 % resolved within target and fewer than 3 per 1,000 orders.",
            owner=quality,
            target_date=add_periods(period_start(today), 6),
            measures=[
                {"kpi": kpis["Complaints resolved within target"], "target": None},
                {"kpi": kpis["Complaints per 1,000 orders"], "target": None},
            ],
        )
    return f"kpis: {len(kpis)} KPIs, 12 months of orders and entered values, {Objective.objects.count()} objectives"
