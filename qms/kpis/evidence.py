"""What this app's records evidence, for the auditors' evidence packs (registered in ``ready``)."""


def register_evidence() -> None:
    """Register this app's record types with ``qms.evidence``."""
    from qms.evidence.registry import register_record_type

    from .models import KpiValue, Objective

    register_record_type(
        Objective,
        title="Quality objectives",
        description="Measurable quality objectives with owners and target dates.",
        clauses=("6.2",),
        columns=(
            ("reference", "Reference"),
            ("statement", "Statement"),
            ("owner", "Owner"),
            ("target_date", "Target date"),
            ("created_at", "Created"),
        ),
        date_field="created_at",
        related=("owner",),
    )
    register_record_type(
        KpiValue,
        title="KPI values",
        description="Monitoring and measurement results of the KPIs, by month or quarter.",
        clauses=("6.2", "9.1.2"),
        columns=(
            ("kpi", "KPI"),
            ("period_start", "Period"),
            ("value", "Value"),
            ("final", "Final"),
            ("origin", "Origin"),
            ("recorded_by", "Recorded by"),
            ("recorded_at", "Recorded"),
            ("note", "Note"),
        ),
        date_field="period_start",
        related=("kpi", "recorded_by"),
    )
