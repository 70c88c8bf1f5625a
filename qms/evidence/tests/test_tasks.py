import time
import tracemalloc

import pytest
from django.utils import timezone

from customers.models import Customer
from qms.evidence.models import EvidenceExport
from qms.evidence.services import evidence_pack_build, export_create, export_file_path
from qms.evidence.tasks import build_evidence_pack
from qms.evidence.verification import pack_verify

ROWS = 100_000


@pytest.fixture
def narrow_customers(monkeypatch):
    """Customers registered with two columns only, alone in the map: the test measures streaming, not formatting."""
    from qms.evidence import registry

    monkeypatch.setattr(registry, "_record_types", {})
    registry.register_record_type(
        Customer,
        title="Customers",
        description="Bulk-loaded customers.",
        clauses=("5.1.2",),
        columns=(("code", "Code"), ("name", "Name")),
        date_field="created_at",
    )


def test_an_export_of_100000_records_keeps_memory_flat(quality, period, narrow_customers):
    # AuditedModel refuses bulk_create (it would bypass the trail); the base manager is the test's way in.
    batch = 10_000
    for first in range(0, ROWS, batch):
        Customer._base_manager.bulk_create(
            [Customer(code=f"BULK-{n:06d}", name=f"Bulk customer {n}") for n in range(first, first + batch)],
            batch_size=2000,
        )
    export = export_create(actor=quality, start=period[0], end=period[1], clauses=["5.1.2"])
    started = time.monotonic()
    tracemalloc.start()
    try:
        status = evidence_pack_build(export_id=export.pk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    export.refresh_from_db()
    assert status == "done", export.message
    assert peak < 150 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"
    assert export.progress_done == export.progress_total == ROWS + 1
    assert pack_verify(str(export_file_path(export))).intact
    print(f"100k export: peak {peak / 1024 / 1024:.1f} MB in {time.monotonic() - started:.1f} s")  # noqa: T201


def test_task_does_nothing_for_a_finished_export(records, quality, build_pack):
    export = build_pack(quality)
    assert build_evidence_pack(export.pk) == "done"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_builds_the_pack_and_a_second_run_does_nothing(auditor, period, run_in_worker):
    from customers.tests.factories import CustomerFactory

    CustomerFactory(code="W-01")
    export = EvidenceExport.objects.create(
        created_by=auditor,
        created_at=timezone.now(),
        period_start=period[0],
        period_end=period[1],
        clauses=["5.1.2", "8.2"],
    )
    first, second = run_in_worker(build_evidence_pack.s(export.pk), build_evidence_pack.s(export.pk))
    export.refresh_from_db()
    assert (first, second) == ("done", "done")
    assert export.status == "done" and export.percent == 100
    assert pack_verify(str(export_file_path(export))).intact
