"""Jobs of the evidence app: building a pack in the background, and restarting packs whose job was lost."""

from __future__ import annotations

from celery import shared_task

from .services import SOFT_TIME_LIMIT


@shared_task(
    name="evidence.tasks.build_evidence_pack",
    acks_late=True,
    ignore_result=False,
    # Past the soft limit SoftTimeLimitExceeded ends the export failed with a message and no file; the hard
    # limit is the backstop, after which ``relay_waiting_exports`` ends it failed.
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=SOFT_TIME_LIMIT + 60,
)
def build_evidence_pack(export_id: int) -> str:
    """Build the pack of export ``export_id``; a second run of a finished (or gone) export does nothing."""
    from .services import evidence_pack_build

    return evidence_pack_build(export_id=export_id)


@shared_task(name="evidence.tasks.relay_waiting_exports")
def relay_waiting_exports() -> dict[str, int]:
    """Every five minutes: publish again exports whose task was lost, end those whose job stopped."""
    from .services import exports_relay_waiting

    return exports_relay_waiting()
