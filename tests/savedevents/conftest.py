"""Saved-event test helpers: events made through the model's own API, and signed-in clients."""

import pytest
from django.test import Client

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
