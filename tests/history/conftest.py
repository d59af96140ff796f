"""Factories for the history tests: a profile and invocations written the way the console writes them."""

import pytest

from invocations.models import CredentialProfile, Invocation, InvocationState
from tests.fixtures.profiles import save_profile


def make_profile(name="prod", **fields) -> CredentialProfile:
    return save_profile(
        name, secret="s3cr3t-AccessKeySecret-value", access_key_id="LTAI5tExampleKeyId", **fields
    )


def make_invocation(user, profile, **fields) -> Invocation:
    values = {
        "region": "cn-hangzhou",
        "service": "demo",
        "function": "hello",
        "event": b'{"k": "v"}',
        "state": InvocationState.SUCCEEDED,
    }
    values.update(fields)
    return Invocation.objects.create(user=user, profile=profile, **values)


@pytest.fixture
def profile(db):
    return make_profile()
