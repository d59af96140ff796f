"""What the FC client tests against fclocal share: a client on the session's fclocal (both APIs on
one port), unique async ids, and waiting on FC's records."""

from __future__ import annotations

import time

import pytest

from invocations.fc.client import FCClient
from tests.fixtures.waiting import wait_until


@pytest.fixture
def client(fclocal):
    c = FCClient(
        fclocal.url,
        fclocal.access_key_id,
        fclocal.access_key_secret,
        account_id=fclocal.account_id,
        backoff=0.01,
    )
    yield c
    c.close()


def wait_for(predicate, what, seconds=30.0):
    return wait_until(predicate, seconds=seconds, what=what)


def new_task_id(prefix: str) -> str:
    return f"{prefix}_{time.time_ns()}"
