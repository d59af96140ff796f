"""Transport faults at the edge of the wire, and connection reuse.

These use a raw local TCP server (tests/fc/edge_server.py) because fclocal cannot hang or reset
a connection on demand. Everything FC-shaped is tested against fclocal.
"""

from __future__ import annotations

import threading

import pytest

from invocations.fc.client import FCClient
from invocations.fc.errors import FCError

from .edge_server import EdgeServer, free_port


def _client(url, **kw):
    return FCClient(url, "LTAIedge", "edge-secret", account_id="1234567890123456", backoff=0.001, **kw)


def test_connection_refused_is_retryable_and_says_nothing_was_sent():
    client = _client(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(FCError) as err:
        client.invoke("demo", "hello", b"{}")
    assert err.value.code == "ConnectionRefused"
    assert err.value.status is None
    assert err.value.retryable and not err.value.outcome_unknown
    assert "edge-secret" not in str(err.value)


def test_a_sync_invoke_that_times_out_is_not_resent_and_its_outcome_is_unknown():
    with EdgeServer(lambda n: "hang") as server:
        client = _client(server.url, max_retries=3)
        with pytest.raises(FCError) as err:
            client.invoke("demo", "slow", b"{}", timeout=0.3)
    assert err.value.code == "ReadTimeout"
    assert err.value.outcome_unknown and not err.value.retryable
    assert len(server.requests) == 1


def test_a_sync_invoke_reset_after_sending_is_not_resent_and_its_outcome_is_unknown():
    with EdgeServer(lambda n: "reset") as server:
        client = _client(server.url, max_retries=3)
        with pytest.raises(FCError) as err:
            client.invoke("demo", "hello", b"{}")
    assert err.value.code == "ConnectionReset"
    assert err.value.outcome_unknown and not err.value.retryable
    assert len(server.requests) == 1


def test_an_async_invoke_reset_after_sending_is_not_resent_either():
    with EdgeServer(lambda n: "reset") as server:
        with pytest.raises(FCError) as err:
            _client(server.url).invoke("demo", "stateful-job", b"{}", invocation_type="Async")
    assert err.value.outcome_unknown
    assert len(server.requests) == 1


def test_a_browsing_get_is_retried_after_a_reset_up_to_max_retries():
    with EdgeServer(lambda n: "reset") as server:
        with pytest.raises(FCError) as err:
            list(_client(server.url, max_retries=2).list_services())
    assert err.value.code == "ConnectionReset"
    assert len(server.requests) == 3


def test_a_browsing_get_recovers_when_a_retry_gets_through():
    with EdgeServer(lambda n: "reset" if n == 0 else '{"services": [{"serviceName": "demo"}]}') as server:
        services = list(_client(server.url).list_services())
    assert services == [{"serviceName": "demo"}]
    assert len(server.requests) == 2


def test_one_connection_serves_many_sequential_calls():
    with EdgeServer(lambda n: '{"services": []}') as server:
        client = _client(server.url)
        for _ in range(50):
            assert list(client.list_services()) == []
    assert len(server.requests) == 50
    assert server.connections == 1


def test_threads_share_the_pool_without_opening_a_connection_per_call():
    with EdgeServer(lambda n: '{"functions": []}') as server:
        client = _client(server.url)
        errors = []

        def work():
            try:
                for _ in range(25):
                    list(client.list_functions("demo"))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert len(server.requests) == 200
    assert server.connections <= 8
