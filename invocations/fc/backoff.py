"""How long to wait before trying a call again: the one backoff of the console.

Used by `FCClient` between its own attempts, and by the worker before it re-sends an invocation
FC did not run (throttled, connection refused), retries a claim the database could not answer,
or writes again a result the database could not take.
"""

from __future__ import annotations

import random


def delay(attempt: int, *, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds before try number `attempt + 1` (`attempt` 0 is the wait after the first try).

    Exponential from `base`, capped at `cap`, with jitter down to half so that callers throttled
    together do not come back together; never shorter than FC's Retry-After, when it sent one.
    """
    wait = min(base * 2**attempt, cap) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not crypto
    if retry_after is not None:
        wait = max(wait, retry_after)
    return wait
