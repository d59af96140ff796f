"""API clients acting as a persona through a real token, and profiles to invoke with."""

import pytest
from rest_framework.test import APIClient

from invocations.models import ApiToken, CredentialProfile
from tests.fixtures.profiles import save_profile

SECRET = "test-secret-never-shown-0123456789"
TOKEN = "sts-token-never-shown-abcdef"


@pytest.fixture
def api_for():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _, plaintext = ApiToken.objects.issue(user, "tests")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        return client

    return make


def make_profile(
    name,
    *,
    endpoint="http://127.0.0.1:9",
    account_id="1234567890123456",
    key_id="LTAIfclocalDemoKey",
    secret=SECRET,
    token=None,
    users=(),
    all_invokers=False,
) -> CredentialProfile:
    return save_profile(
        name,
        secret=secret,
        token=token,
        users=users,
        account_id=account_id,
        access_key_id=key_id,
        endpoint=endpoint,
        all_invokers=all_invokers,
    )


def make_fclocal_profile(name, fclocal, *, users=()) -> CredentialProfile:
    """A profile aimed at the session's real fclocal, with its keys."""
    return make_profile(
        name,
        endpoint=fclocal.url,
        account_id=fclocal.account_id,
        key_id=fclocal.access_key_id,
        secret=fclocal.access_key_secret,
        users=users,
    )


@pytest.fixture
def team_profile(invoker, other_invoker):
    """Granted to both invokers; its endpoint refuses connections (nothing here calls FC)."""
    return make_profile("team", token=TOKEN, users=[invoker, other_invoker])


@pytest.fixture
def admin_profile(db):
    """Granted to nobody: only admins may use it."""
    return make_profile("prod-admin-only", key_id="LTAIadminOnlyKey")
