"""Liveness of the parts /healthz reports: database, broker, worker.

Each check answers None (up) or why not. Every process reconnects by itself after an outage
(settings: CELERY_BROKER_CONNECTION_MAX_RETRIES, the database pool), so a part that is down is
said to be reconnecting, and /healthz turns back to ok without anyone's help.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import DatabaseError, connection

from fcconsole.celery import app
from fcconsole.redaction import error_line
from invocations.models import Worker
from invocations.models.workers import seconds_ago
from invocations.tasks import ping

RECONNECTING = "reconnecting"


def database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; say which
        return error_line(exc)


def broker() -> str | None:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        return None
    except Exception as exc:  # noqa: BLE001
        return error_line(exc) + "; every process keeps reconnecting"


def worker(timeout: float = 3.0) -> str | None:
    nonce = uuid.uuid4().hex
    try:
        result = ping.apply_async(args=[nonce], expires=timeout)
        answer = result.get(timeout=timeout)
        result.forget()
    except Exception as exc:  # noqa: BLE001
        return f"no worker answered a ping within {timeout:g}s ({type(exc).__name__}){alive_note()}"
    return None if answer == nonce else "a worker answered with the wrong nonce"


def alive_workers() -> list[str]:
    """Workers whose heartbeat (in the database, not the broker) is fresh: alive, maybe reconnecting."""
    try:
        return list(
            Worker.objects.filter(last_seen__gte=seconds_ago(2 * settings.FC_WORKER_HEARTBEAT))
            .order_by("name")
            .values_list("name", flat=True)
        )
    except DatabaseError:
        return []


def alive_note() -> str:
    alive = alive_workers()
    if not alive:
        return ""
    return f"; alive by their heartbeat, {RECONNECTING} to the broker: {', '.join(alive)}"


def worker_state(error: str | None) -> str:
    """'up', or for a worker that does not answer: 'reconnecting' when its heartbeat shows it alive
    (it is waiting for the broker), else 'down'."""
    if error is None:
        return "up"
    return RECONNECTING if RECONNECTING in error else "down"
