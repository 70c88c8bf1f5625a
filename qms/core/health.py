"""Readiness checks for /healthz: the database and the Celery broker."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from kombu import Connection


def database_status() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any failure means "down"; the reason is logged, not shown
        return False, type(exc).__name__


def broker_status() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    kind = url.split(":", 1)[0]
    try:
        with Connection(
            url,
            transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            if kind.startswith("redis"):
                conn.default_channel.client.ping()
        return True, kind
    except Exception as exc:
        return False, f"{kind}: {type(exc).__name__}"
