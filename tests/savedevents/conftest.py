"""Saved-event test helpers: events made through the model's own API, and signed-in clients."""

import pytest
from django.test import Client

from invocations.models import CredentialProfile
from savedevents.models import SavedEvent


@pytest.fixture
def make_event():
    def make(owner, name="upload", body='{"k": "v"}', **fields) -> SavedEvent:
        return SavedEvent(owner=owner, name=name, body=body, **fields).save_new(owner)

    return make


@pytest.fixture
def client_for():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def local_profile(db):
    """A profile every invoker may use; its endpoint answers nothing (no call is made with it)."""
    profile = CredentialProfile(
        name="local",
        account_id="1234567890123456",
        access_key_id="LTAIfclocalDemoKey",
        endpoint="http://127.0.0.1:9",
        all_invokers=True,
    )
    profile.set_secret("fclocal-demo-secret-do-not-use")
    profile.save()
    return profile
