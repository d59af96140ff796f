"""Fixtures of the notification tests: a local webhook receiver, subscriptions, stand-in suite runs."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.signals import before_task_publish

from notifications.models import Channel, Event, Subscription

WEBHOOK_SECRET = "whsec-must-never-be-shown-back-0123456789"


class Receiver:
    """A tiny HTTP server on a free port of 127.0.0.1: answers each POST with the next status of
    `answers` (the last one repeats) and keeps what it was sent."""

    def __init__(self, answers: list[int]):
        self.answers = list(answers)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/fcconsole"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    """`receiver(500, 200)`: a receiver answering 500 once, then 200."""
    started: list[Receiver] = []

    def start(*answers: int) -> Receiver:
        started.append(Receiver(list(answers) or [200]))
        return started[-1]

    yield start
    for r in started:
        r.close()


def subscribe(user, event=Event.INVOCATION_ENDED, channel=Channel.EMAIL, url="", secret=WEBHOOK_SECRET):
    subscription = Subscription(user=user, event=event, channel=channel, url=url)
    if channel == Channel.WEBHOOK:
        subscription.set_secret(secret)
    subscription.save()
    return subscription


@dataclass
class StandInSuite:
    name: str
    uuid: uuid.UUID = field(default_factory=uuid.uuid4)
    hidden_from: tuple = ()

    def is_visible_to(self, user) -> bool:
        return user not in self.hidden_from


@dataclass
class StandInRun:
    """What `suites.signals.run_finished` will carry as `run`, as far as notifications read it."""

    suite: StandInSuite
    pk: int = field(default_factory=lambda: uuid.uuid4().int % 10**9)
    uuid: uuid.UUID = field(default_factory=uuid.uuid4)

    def get_absolute_url(self) -> str:
        return f"/suites/runs/{self.uuid}/"


@pytest.fixture
def published():
    """Every task message this process publishes (body and headers), as text."""
    messages = []

    def record(body=None, headers=None, **kwargs):
        messages.append(repr(body) + repr(headers))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


@pytest.fixture
def nowhere_profile(db):
    """A profile whose endpoint refuses connections: for rows no worker runs."""
    from tests.core.conftest import make_profile
    from tests.fc.edge_server import free_port

    return make_profile("nowhere", f"http://127.0.0.1:{free_port()}")
