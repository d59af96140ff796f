"""Fixtures of the console pages: profiles with known secrets, invocation rows in any state."""

import pytest
from django.utils import timezone

from invocations.models import Invocation
from tests.fixtures.profiles import DEMO_SECRET, make_profile  # noqa: F401 - shared with the page tests

DEMO_TOKEN = "sts-token-that-must-never-show-up-anywhere"


@pytest.fixture
def profile(db, invoker):
    """A profile the invoker is allowed to use (an STS one, so both secrets are in play)."""
    p = make_profile("demo", token=DEMO_TOKEN, endpoint="http://127.0.0.1:9")
    p.allowed_users.add(invoker)
    return p


@pytest.fixture
def foreign_profile(db):
    """A profile no invoker is allowed (admins only)."""
    return make_profile("prod", access_key_id="LTAIproductionKey99", endpoint="http://127.0.0.1:9")


@pytest.fixture
def make_invocation(db):
    def make(user, profile, **fields):
        fields.setdefault("region", "cn-hangzhou")
        fields.setdefault("service", "demo")
        fields.setdefault("function", "hello")
        fields.setdefault("event", b'{"name": "world"}')
        if fields.get("state") in ("succeeded", "failed", "error", "unknown", "stopped"):
            fields.setdefault("finished_at", timezone.now())
        return Invocation.objects.create(user=user, profile=profile, **fields)

    return make


@pytest.fixture
def login(client):
    """Sign a persona in: `login(invoker)` returns the client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def fclocal_profile(db, fclocal, invoker):
    """A profile pointing at the session's real fclocal, usable by the invoker."""
    p = make_profile(
        "fclocal",
        secret=fclocal.access_key_secret,
        account_id=fclocal.account_id,
        access_key_id=fclocal.access_key_id,
        endpoint=fclocal.url,
        description="the local FC endpoint",
    )
    p.allowed_users.add(invoker)
    return p
