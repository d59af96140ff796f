"""Waking whoever waits for an invocation to end (the API's `?wait`), instead of polling the row.

Whatever ends a row (`Invocation.objects.finish`, which the worker, the sweep, the tracker and a
stop before sending use; the tracker's bulk `apply_records`) pushes a token onto a short-lived
Redis list named for the row; a waiter blocks on that list (BLPOP). The row stays the truth: a waiter re-reads it after every wake-up and at
least every RECHECK seconds, so a lost signal (Redis restarted) costs at most that, and never a
wrong answer. Without Redis (another broker, or Redis down) the waiter polls the row instead,
every POLL_INTERVAL at most. The token outlives a waiter that comes late by SIGNAL_TTL seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import cache

import redis
from django.conf import settings

from invocations import signals

log = logging.getLogger(__name__)

SIGNAL_TTL = 60
# Without Redis, the row is polled: quickly at first (a no-op ends within milliseconds), backing
# off to POLL_INTERVAL so a long call costs one query per 0.2 s.
FIRST_POLL = 0.002
POLL_INTERVAL = 0.2
# With Redis, only a lost signal needs the re-read: once a second, not every POLL_INTERVAL,
# which under load re-read each waiting call's row several times while its worker ran.
RECHECK = 1.0


@cache
def _redis():
    """A client on the broker's Redis, or None when the broker is something else."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    # No socket timeout: BLPOP's own timeout bounds each wait.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=None)


def _key(pk: int) -> str:
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    return f"{prefix}fcconsole.ended.{pk}"


def announce(*pks: int, ended: bool = True, invocation_type: str | None = None) -> None:
    """Say that rows `pks` have ended: wake their waiters (one round trip), then send
    `signals.invocation_ended` (notifications listen). `ended=False`: a step that only wakes
    waiters (an async row FC accepted, now tracking). `invocation_type`: the one all `pks` share,
    when the caller knows it (None: unknown or mixed). Never fails the caller: waiters also poll,
    and a receiver that raises is logged."""
    if not pks:
        return
    _wake(pks)
    if not ended:
        return
    for receiver, result in signals.invocation_ended.send_robust(
        sender=None, pks=list(pks), invocation_type=invocation_type
    ):
        if isinstance(result, Exception):
            log.warning(
                "invocations %s: receiver %s of invocation_ended failed (%s)",
                pks,
                getattr(receiver, "__qualname__", receiver),
                type(result).__name__,
            )


def _wake(pks: tuple[int, ...]) -> None:
    client = _redis()
    if client is None:
        return
    try:
        with client.pipeline(transaction=False) as pipe:
            for pk in pks:
                pipe.rpush(_key(pk), 1).expire(_key(pk), SIGNAL_TTL)
            pipe.execute()
    except Exception as exc:  # noqa: BLE001 - a lost wake-up only costs a waiter one poll
        log.debug("invocations %s: end not announced (%s)", pks, type(exc).__name__)


def wait(pk: int, done: Callable[[], bool], seconds: float) -> None:
    """Return once `done()` (which re-reads the row) is true, or after `seconds`.

    `done()` is asked after each wake-up or pause, not before the first: the caller has just
    seen the row unfinished.
    """
    deadline = time.monotonic() + seconds
    pause = FIRST_POLL
    while (remaining := deadline - time.monotonic()) > 0:
        if not _block(pk, min(remaining, RECHECK)):
            time.sleep(min(pause, remaining))
            pause = min(pause * 1.5, POLL_INTERVAL)
        if done():
            return


def _block(pk: int, seconds: float) -> bool:
    """Wait up to `seconds` for row `pk`'s signal; False when there is no Redis to wait on."""
    client = _redis()
    if client is None:
        return False
    try:
        client.blpop([_key(pk)], timeout=max(seconds, 0.01))
    except Exception as exc:  # noqa: BLE001 - fall back to polling the row
        log.debug("invocation %s: cannot wait on its end signal (%s)", pk, type(exc).__name__)
        return False
    return True
