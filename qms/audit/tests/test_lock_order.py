"""Numbering and the audit chain are locked in one order (qms.audit.recorder.lock_audit_chain), so two
transactions that each number a record and append audit entries queue instead of deadlocking. CI found
the deadlock in the soak: a survey answer that opens a complaint (the chain held by the invitation's
update, then the complaint counter) while the public form filed a complaint (the counter, then the chain)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from feedback.choices import FeedbackKind
from feedback.services.complaints import feedback_next_reference
from qms.audit.recorder import append_entry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_chain_first_and_counter_first_transactions_queue_instead_of_deadlocking():
    with transaction.atomic():
        feedback_next_reference(FeedbackKind.COMPLAINT)  # the year's counter row exists
    chain_held, numbering = threading.Event(), threading.Event()
    references, errors = [], []

    def entry(name: str) -> None:
        append_entry(action="update", content_type="tests.lock", object_id=name, object_repr=name, changes={})

    def chain_then_counter():
        try:
            with transaction.atomic():
                entry("a")  # holds the chain, as the survey answer's invitation update does
                chain_held.set()
                numbering.wait(10)
                threading.Event().wait(0.5)  # the other transaction is now waiting for a lock
                references.append(feedback_next_reference(FeedbackKind.COMPLAINT))
        except Exception as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)
        finally:
            connection.close()

    def counter_then_chain():
        try:
            chain_held.wait(10)
            with transaction.atomic():
                numbering.set()
                references.append(feedback_next_reference(FeedbackKind.COMPLAINT))  # the public form's order
                entry("b")
        except Exception as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=chain_then_counter), threading.Thread(target=counter_then_chain)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(references) == 2 and len(set(references)) == 2
