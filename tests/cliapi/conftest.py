"""API clients acting as a persona through a real token, and profiles to invoke with."""

from functools import partial

import pytest
from rest_framework.test import APIClient

from invocations.models import ApiToken
from tests.fixtures import profiles
from tests.fixtures.profiles import make_fclocal_profile  # noqa: F401 - shared with the API tests

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


# The API tests' profiles carry a secret of their own, which no answer may ever show.
make_profile = partial(profiles.make_profile, secret=SECRET)


@pytest.fixture
def team_profile(invoker, other_invoker):
    """Granted to both invokers; its endpoint refuses connections (nothing here calls FC)."""
    return make_profile("team", token=TOKEN, users=[invoker, other_invoker])


@pytest.fixture
def admin_profile(db):
    """Granted to nobody: only admins may use it."""
    return make_profile("prod-admin-only", access_key_id="LTAIadminOnlyKey")
