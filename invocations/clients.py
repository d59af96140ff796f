"""One FCClient per (profile, region) per process, shared by every worker thread.

A client holds a pooled HTTP session, so reusing it keeps connections to FC warm. The cache key
includes the profile's `updated_at`: saving a profile (a new secret, another endpoint) makes
the next call build a fresh client with the new values, and the old one is closed. One client
serves both API versions: FC 3.0 calls go to the profile's 3.0 endpoint (`endpoint_for(fc3=True)`).
"""

from __future__ import annotations

import threading

from django.conf import settings

from invocations.fc.client import FCClient

_lock = threading.Lock()
_clients: dict[tuple[int, str], tuple[object, FCClient]] = {}


def for_profile(profile, region: str) -> FCClient:
    key = (profile.pk, region)
    version = profile.updated_at
    with _lock:
        cached = _clients.get(key)
        # A thread holding an older copy of the profile must not swap the newer client back out.
        if cached and cached[0] >= version:
            return cached[1]
        client = FCClient(
            profile.endpoint_for(region),
            profile.access_key_id,
            profile.access_key_secret(),
            profile.security_token(),
            connect_timeout=settings.FC_CONNECT_TIMEOUT,
            # One quick retry in the thread; longer waits (throttling) go back to the queue
            # as a Celery retry, which holds no thread (invocations/lifecycle/run.py).
            max_retries=1,
            account_id=profile.account_id,
            endpoint_fc3=profile.endpoint_for(region, fc3=True),
        )
        _clients[key] = (version, client)
    if cached:
        # Requests still in flight on the old session finish; its idle connections close.
        cached[1].close()
    return client


def close_all() -> None:
    """Close every cached client (a worker shutting down; tests that must not leave connections)."""
    with _lock:
        old = list(_clients.values())
        _clients.clear()
    for _, client in old:
        client.close()
