"""Suite test helpers: a profile on the session's fclocal, saved events, and suites built through
the model's own API."""

import pytest

from savedevents.models import SavedEvent
from suites.models import Suite
from tests.fixtures.profiles import make_fclocal_profile


@pytest.fixture
def local(db, fclocal):
    """The profile `local`, on the real fclocal, usable by every invoker."""
    return make_fclocal_profile("local", fclocal, all_invokers=True)


def check(function, service="demo", expect=None, event=None, **fields) -> dict:
    return {
        "name": fields.pop("name", function),
        "profile": "local",
        "region": "cn-hangzhou",
        "service": service,
        "function": function,
        "event": event or {"text": '{"k": "v"}'},
        "expect": expect or {},
        **fields,
    }


@pytest.fixture
def make_suite():
    def make(owner, checks, name="smoke", **fields) -> Suite:
        return Suite(owner=owner, name=name, checks=checks, **fields).save_new(owner)

    return make


@pytest.fixture
def hello_event(invoker):
    return SavedEvent(
        owner=invoker, name="hello-event", body='{"greeting": "hi"}', visibility="team"
    ).save_new(invoker)


from tests.browser.conftest import browser, page, sign_in  # noqa: E402, F401 - the browser tests' fixtures
