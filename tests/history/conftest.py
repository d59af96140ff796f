"""Factories for the history tests: a profile and invocations written the way the console writes them."""

import pytest

from tests.audit.conftest import make_invocation, make_profile  # noqa: F401 - the history tests' factories


@pytest.fixture
def profile(db):
    return make_profile()
