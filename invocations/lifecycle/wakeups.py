"""Waking whoever waits for an invocation to end (the API's `?wait`), instead of polling the row.

Whatever ends a row (`Invocation.objects.finish`, which the worker, the sweep, the tracker and a
stop before sending use; the tracker's bulk `apply_records`) pushes a token onto a short-lived
Redis list named for the row; a waiter blocks on that list (BLPOP). The row stays the truth: a
waiter re-reads it after every wake-up and at least every RECHECK seconds, so a lost signal (Redis
restarted) costs at most that, and never a wrong answer. Without Redis (another broker, or Redis
down) the waiter polls the row instead, every POLL_INTERVAL at most. The token outlives a waiter
that comes late by SIGNAL_TTL seconds.

One exception to the re-read: a `finish` outside any transaction commits as its UPDATE runs, and
the UPDATE returns the row's outcome as committed; the token then carries those values, signed
with the project's secret (a token from anyone else is only a wake-up), and the waiter answers from
them without a statement of its own (issue 18: the re-read was a round trip on every `?wait` call).
An outcome of more than OUTCOME_MAX bytes (a large response body) is not carried.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache

import redis
from django.conf import settings
from django.core import signing

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
# The largest outcome a token carries (its signed text); a larger one is re-read from the row.
OUTCOME_MAX = 64 * 1024
_SALT = "fcconsole.wakeups.outcome"
_WAKE_ONLY = b"1"


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


def announce(
    *pks: int, ended: bool = True, invocation_type: str | None = None, outcome: Sequence | None = None
) -> None:
    """Say that rows `pks` have ended: wake their waiters (one round trip), then send
    `signals.invocation_ended` (notifications listen). `ended=False`: a step that only wakes
    waiters (an async row FC accepted, now tracking). `invocation_type`: the one all `pks` share,
    when the caller knows it (None: unknown or mixed). `outcome` (one pk only): the row's values
    of `Invocation.OUTCOME_FIELDS` as the committed write that ended it returned them, which the
    waiter is handed instead of re-reading the row. Never fails the caller: waiters also poll,
    and a receiver that raises is logged."""
    if not pks:
        return
    _wake(pks, _sealed(pks[0], outcome) if outcome is not None and len(pks) == 1 else _WAKE_ONLY)
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


def _wake(pks: tuple[int, ...], token: bytes) -> None:
    client = _redis()
    if client is None:
        return
    try:
        with client.pipeline(transaction=False) as pipe:
            for pk in pks:
                pipe.rpush(_key(pk), token).expire(_key(pk), SIGNAL_TTL)
            pipe.execute()
    except Exception as exc:  # noqa: BLE001 - a lost wake-up only costs a waiter one poll
        log.debug("invocations %s: end not announced (%s)", pks, type(exc).__name__)


def wait(pk: int, done: Callable[[list | None], bool], seconds: float) -> None:
    """Return once `done(outcome)` is true, or after `seconds`.

    `done` is asked after each wake-up or pause, not before the first: the caller has just seen
    the row unfinished. `outcome` is what the wake-up carried (`announce`), checked: the row's
    values of `Invocation.OUTCOME_FIELDS`, as read from the database, unconverted. None: `done`
    re-reads the row.
    """
    deadline = time.monotonic() + seconds
    pause = FIRST_POLL
    while (remaining := deadline - time.monotonic()) > 0:
        waited, token = _block(pk, min(remaining, RECHECK))
        if not waited:
            time.sleep(min(pause, remaining))
            pause = min(pause * 1.5, POLL_INTERVAL)
        if done(_opened(pk, token)):
            return


def _block(pk: int, seconds: float) -> tuple[bool, bytes | None]:
    """Wait up to `seconds` for row `pk`'s signal: (whether there was Redis to wait on, the token
    taken or None)."""
    client = _redis()
    if client is None:
        return False, None
    try:
        taken = client.blpop([_key(pk)], timeout=max(seconds, 0.01))
    except Exception as exc:  # noqa: BLE001 - fall back to polling the row
        log.debug("invocation %s: cannot wait on its end signal (%s)", pk, type(exc).__name__)
        return False, None
    return True, taken[1] if taken else None


# An outcome's values as the database driver gives them, each tagged with its kind: JSON holds
# text, numbers and None as they are ("v"); bytes ("b") and datetimes ("t") it cannot.
def _encoded(value) -> list:
    if isinstance(value, bytes | memoryview):
        return ["b", base64.b64encode(value).decode("ascii")]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    return ["v", value]


def _decoded(tagged: list):
    kind, value = tagged
    if kind == "b":
        return base64.b64decode(value)
    if kind == "t":
        return datetime.fromisoformat(value)
    if kind == "v":
        return value
    raise ValueError(f"unknown kind {kind!r}")


def _sealed(pk: int, outcome: Sequence) -> bytes:
    """The token that carries row `pk`'s outcome: signed, with the pk, so that it is good for that
    row's waiter only. A value JSON cannot hold, or a token over OUTCOME_MAX, makes it a bare
    wake-up: the waiter re-reads the row."""
    try:
        values = [_encoded(value) for value in outcome]
        token = signing.Signer(salt=_SALT).sign_object({"pk": pk, "values": values}).encode()
    except (TypeError, ValueError) as exc:
        log.debug("invocation %s: outcome not carried (%s)", pk, type(exc).__name__)
        return _WAKE_ONLY
    return token if len(token) <= OUTCOME_MAX else _WAKE_ONLY


def _opened(pk: int, token: bytes | None) -> list | None:
    if not token or token == _WAKE_ONLY:
        return None
    try:
        carried = signing.Signer(salt=_SALT).unsign_object(token.decode())
        if carried["pk"] != pk:
            raise ValueError("another row's outcome")
        return [_decoded(value) for value in carried["values"]]
    except (signing.BadSignature, ValueError, KeyError, TypeError) as exc:
        log.warning(
            "invocation %s: a wake-up carried an outcome that fails its check (%s)", pk, type(exc).__name__
        )
        return None
