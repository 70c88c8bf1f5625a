"""Publish a Celery task after commit without letting a stalled or missing broker hold up the request.

The work itself is always a row written in the request's transaction (an export ``queued``, a campaign
``sending``, an e-mail in the outbox): that row is the outbox record. Publishing the task afterwards only
makes the work start sooner; when the broker is down or never answers, the publish is given up after
``PUBLISH_WAIT`` seconds with a warning, and the app's relay job (a beat entry that re-publishes rows left
waiting too long) starts the work once the broker is back. Tasks published this way must therefore be
safe to run twice (they claim their row with a conditional UPDATE).
"""

from __future__ import annotations

import logging
import threading
from functools import partial

from django.db import connection, transaction

logger = logging.getLogger(__name__)

# Longer than a healthy local Redis ever takes, far shorter than a request may wait.
PUBLISH_WAIT = 1.0


def publish_after_commit(task, *args, wait: float = PUBLISH_WAIT) -> None:
    """After the current transaction commits, ``task.delay(*args)``, waiting at most ``wait`` seconds."""
    transaction.on_commit(partial(publish_now, task, *args, wait=wait), robust=True)


def publish_now(task, *args, wait: float = PUBLISH_WAIT) -> bool:
    """``task.delay(*args)`` from a helper thread; True if the broker took it within ``wait`` seconds.

    A broker that accepts connections and never answers makes ``delay`` block for its socket timeout
    (and a retry or two); the thread is left to finish or fail on its own, and the caller goes on.
    """
    outcome: dict[str, object] = {}

    def publish() -> None:
        try:
            task.delay(*args)
            outcome["published"] = True
        except Exception as exc:  # noqa: BLE001 - reported below or, if late, logged here
            outcome["error"] = exc
            logger.warning("Publishing %s%r failed: %s: %s", task.name, args, type(exc).__name__, exc)
        finally:
            connection.close()  # this thread's own connection, if publishing opened one

    thread = threading.Thread(target=publish, name=f"publish-{task.name}", daemon=True)
    thread.start()
    thread.join(wait)
    if outcome.get("published"):
        return True
    if "error" not in outcome:
        logger.warning(
            "Publishing %s%r took longer than %ss; the broker may be stalled. The relay job will publish it.",
            task.name,
            args,
            wait,
        )
    return False
