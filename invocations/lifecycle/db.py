"""Brief database use from threads that spend most of their time waiting on FC.

A worker holds hundreds of calls in flight, each waiting seconds on FC. Each thread uses the
database inside `database()` only: at most WORKER_DB_CONNECTIONS threads of a process at once,
and the connection is closed on the way out (on PostgreSQL: handed back to the process's pool,
DB_POOL_SIZE in settings.py), so nothing is held during the wait. A thousand calls in flight thus
need a handful of PostgreSQL connections, not a thousand.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

_gate = threading.BoundedSemaphore(settings.WORKER_DB_CONNECTIONS)


@contextmanager
def database():
    """Use the database briefly, then give the connection back (unless inside a transaction)."""
    with _gate:
        try:
            yield
        finally:
            if not connection.in_atomic_block:
                connection.close()
