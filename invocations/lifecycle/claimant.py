"""Who this process is when it claims a row: stamped on the row (`claimed_by`) by the claim.

A Celery worker is named for its Celery hostname and pid, the name of its heartbeat
(invocations.Worker): the sweep ends the running rows of a worker whose heartbeat stops. Any
other process (`manage.py invoke` runs its call in-process) gets a name no heartbeat carries, so
its rows are left to the timeout-and-grace rule: the CLI waits on its own call and needs no sweep.
"""

from __future__ import annotations

import os
import socket

_worker: str | None = None


def worker_name(celery_hostname: str) -> str:
    return f"{celery_hostname} pid {os.getpid()}"


def become_worker(celery_hostname: str) -> str:
    global _worker
    _worker = worker_name(celery_hostname)
    return _worker


def name() -> str:
    return _worker or f"{socket.gethostname()} pid {os.getpid()} (not a worker)"


def is_worker() -> bool:
    return _worker is not None
