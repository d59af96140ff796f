"""Fixtures of the console core tests: profiles, and a submitted invocation."""

from __future__ import annotations

import pytest

from invocations import clients
from invocations.models import CredentialProfile
from tests.fc.edge_server import free_port

DEMO_SECRET = "fclocal-demo-secret-do-not-use"


def make_profile(name: str, endpoint: str, *, secret: str = DEMO_SECRET, **fields) -> CredentialProfile:
    profile = CredentialProfile(
        name=name,
        account_id=fields.pop("account_id", "1234567890123456"),
        access_key_id=fields.pop("access_key_id", "LTAIfclocalDemoKey"),
        endpoint=endpoint,
        all_invokers=fields.pop("all_invokers", True),
        **fields,
    )
    profile.set_secret(secret)
    profile.save()
    return profile


@pytest.fixture
def nowhere_profile(db):
    """A profile whose endpoint refuses connections: FC surely never sees the call."""
    return make_profile("nowhere", f"http://127.0.0.1:{free_port()}")


@pytest.fixture(autouse=True)
def _close_fc_clients():
    """Leave no pooled connection to the shared fclocal behind (other suites count them)."""
    yield
    clients.close_all()
