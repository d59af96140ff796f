"""Fixtures of the console core tests: profiles, and a submitted invocation."""

from __future__ import annotations

from functools import partial

import pytest

from invocations import clients
from tests.fc.edge_server import free_port
from tests.fixtures import profiles
from tests.fixtures.profiles import DEMO_SECRET  # noqa: F401 - the core tests' secret

# The core's profiles are open to every invoker unless told otherwise.
make_profile = partial(profiles.make_profile, all_invokers=True)


@pytest.fixture
def nowhere_profile(db):
    """A profile whose endpoint refuses connections: FC surely never sees the call."""
    return make_profile("nowhere", f"http://127.0.0.1:{free_port()}")


@pytest.fixture(autouse=True)
def _close_fc_clients():
    """Leave no pooled connection to the shared fclocal behind (other suites count them)."""
    yield
    clients.close_all()
