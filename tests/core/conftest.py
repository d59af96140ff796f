"""Fixtures of the console core tests: profiles, and a submitted invocation."""

from __future__ import annotations

import pytest

from invocations import clients
from invocations.models import CredentialProfile
from tests.fc.edge_server import free_port
from tests.fixtures.profiles import save_profile

DEMO_SECRET = "fclocal-demo-secret-do-not-use"


def make_profile(name: str, endpoint: str, *, secret: str = DEMO_SECRET, **fields) -> CredentialProfile:
    """Open to every invoker unless told otherwise."""
    return save_profile(name, endpoint=endpoint, secret=secret, **{"all_invokers": True, **fields})


@pytest.fixture
def nowhere_profile(db):
    """A profile whose endpoint refuses connections: FC surely never sees the call."""
    return make_profile("nowhere", f"http://127.0.0.1:{free_port()}")


@pytest.fixture(autouse=True)
def _close_fc_clients():
    """Leave no pooled connection to the shared fclocal behind (other suites count them)."""
    yield
    clients.close_all()
