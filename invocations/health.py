"""Liveness of the parts /healthz reports: database, broker, worker."""

from __future__ import annotations

import uuid

from django.db import connection

from fcconsole.celery import app
from invocations.tasks import ping


def database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; say which
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


def broker() -> str | None:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        return None
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


def worker(timeout: float = 3.0) -> str | None:
    nonce = uuid.uuid4().hex
    try:
        result = ping.apply_async(args=[nonce], expires=timeout)
        answer = result.get(timeout=timeout)
        result.forget()
    except Exception as exc:  # noqa: BLE001
        return f"no worker answered a ping within {timeout:g}s ({type(exc).__name__})"
    return None if answer == nonce else "a worker answered with the wrong nonce"
