"""Locks in the shared cache, for periodic work two schedulers could start at once (sweep, tracker).

With Redis (settings.CACHES) every web and worker process sees the same lock; without it the
cache is per process, which is all the embedded defaults' one worker needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache


@contextmanager
def held(name: str, seconds: float) -> Iterator[bool]:
    """Take lock `name` for at most `seconds` (a holder that dies leaves it then); yields whether
    this caller got it. Released on the way out, unless it expired and someone else took it."""
    mine = uuid.uuid4().hex
    got = cache.add(name, mine, seconds)
    try:
        yield got
    finally:
        if got and cache.get(name) == mine:
            cache.delete(name)
