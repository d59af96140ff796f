"""Instances: warm reuse, initializer once, timeout, memory limit, crash, instance cap."""

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fclocal.helpers import FAULTS, event, invoke, log_of
from tests.fixtures.waiting import wait_until


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    from tests.fixtures.fclocal import FclocalServer

    base = tmp_path_factory.mktemp("faults")
    server = FclocalServer(FAULTS, base / "state", base / "fclocal.log").start()
    yield server
    server.stop()


def call(server, function, body=b"", **kw):
    return invoke(server, function, body, service="faults", **kw)


def test_it_runs_the_initializer_once_per_instance(faults):
    first = call(faults, "counter").json()
    second = call(faults, "counter").json()

    assert first["inits"] == second["inits"] == 1
    assert second["calls"] == first["calls"] + 1
    assert second["pid"] == first["pid"]


def test_it_frames_the_initializer_in_the_cold_start_log(fclocal_factory):
    server = fclocal_factory()

    response = invoke(server, "hello", b"x")

    log = log_of(response)
    request_id = response.headers["X-Fc-Request-Id"]
    assert log.startswith("FunctionCompute python3 runtime inited.\n")
    assert f"FC Initialize Start RequestId: {request_id}\n" in log
    assert "[INFO] initializing instance for hello" in log
    assert log.index(f"FC Initialize End RequestId: {request_id}") < log.index("FC Invoke Start")


def test_a_failing_initializer_fails_the_request_and_the_next_gets_a_new_instance(faults):
    first = call(faults, "bad-init")
    second = call(faults, "bad-init")

    assert first.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert first.json()["errorMessage"] == "the initializer failed"
    assert ", Error: the initializer failed" in log_of(first)
    assert second.headers["X-Fc-Instance-Id"] != first.headers["X-Fc-Instance-Id"]


def test_it_kills_an_instance_past_its_timeout(faults):
    response = call(faults, "too-slow", event(seconds=10, marker="late"))

    assert response.status_code == 200
    assert response.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert response.json()["errorMessage"].startswith("Function timed out after 1 seconds (maxMemoryUsage: ")
    log = log_of(response)
    assert "[INFO] start late" in log  # lines written before the kill are kept
    assert ", Error: Function timed out after 1 seconds" in log
    assert int(response.headers["X-Fc-Invocation-Duration"]) >= 1000
    after = call(faults, "too-slow", event(seconds=0))
    assert after.headers["X-Fc-Instance-Id"] != response.headers["X-Fc-Instance-Id"]


def test_it_kills_an_instance_over_its_memory_size(faults):
    response = call(faults, "memory-hog")

    assert response.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert response.json()["errorMessage"].startswith("Process exited unexpectedly before completing request")
    assert float(response.headers["X-Fc-Max-Memory-Usage"]) > 128
    assert "memory limit of 128 MB exceeded" in log_of(response)


def test_a_crash_is_reported_and_the_next_call_gets_a_fresh_instance(faults):
    crashed = call(faults, "crash")
    again = call(faults, "crash")

    assert crashed.status_code == 200
    assert crashed.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    message = crashed.json()["errorMessage"]
    assert message.startswith("Process exited unexpectedly before completing request (duration: ")
    assert "maxMemoryUsage: " in message
    assert "about to crash" in log_of(crashed)
    assert again.headers["X-Fc-Instance-Id"] != crashed.headers["X-Fc-Instance-Id"]


def test_it_answers_429_when_every_instance_is_busy_past_the_wait(fclocal_factory):
    server = fclocal_factory(FAULTS, max_instances=1, instance_wait=0.3)
    busy = threading.Thread(target=call, args=(server, "single", event(seconds=5)))
    busy.start()
    try:
        # Once the only instance holds the slow request (a loaded machine starts it late), a
        # request that cannot get an instance within the wait is refused.
        answers = []
        wait_until(
            lambda: (
                answers.append(call(server, "single", event(seconds=0))) or answers[-1].status_code == 429
            ),
            seconds=20,
            interval=0,
            what="a 429 while the only instance is busy",
        )
        throttled = answers[-1]  # (a Response is falsy when not ok: it cannot be the probe's answer)
        assert throttled.json()["ErrorCode"] == "ResourceExhausted"
    finally:
        busy.join()
    assert call(server, "single", event(seconds=0)).status_code == 200


def test_a_request_waits_for_a_busy_instance_within_the_wait(fclocal_factory):
    server = fclocal_factory(FAULTS, max_instances=1, instance_wait=30)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(call(server, "single", event(seconds=0.5))))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [r.status_code for r in results] == [200, 200, 200]
    assert len({r.headers["X-Fc-Instance-Id"] for r in results}) == 1


def test_instance_concurrency_lets_one_instance_serve_many_requests(faults):
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(call(faults, "sleepy", event(seconds=0.5))))
        for _ in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert {r.status_code for r in results} == {200}
    assert len({r.headers["X-Fc-Instance-Id"] for r in results}) == 1


def test_it_reports_real_memory_use(faults):
    response = call(faults, "counter")

    used = float(response.headers["X-Fc-Max-Memory-Usage"])
    assert 5 < used < 128
    assert f"Max Memory Used: {used:.2f} MB" in log_of(response)
    assert json.loads(response.content)["inits"] == 1


def test_the_log_tail_is_the_last_4kb_and_the_log_file_keeps_everything(faults):
    response = call(faults, "chatty", b"2000")

    tail = base64.b64decode(response.headers["X-Fc-Log-Result"])
    assert 4000 < len(tail) <= 4096
    text = tail.decode()
    assert "line 01999\n" in text
    assert "line 00000" not in text
    assert text.rsplit("\n", 1)[1].startswith("Duration: ")
    full = faults.function_log("chatty", service="faults")
    assert "line 00000\n" in full
    assert f"FC Invoke End RequestId: {response.headers['X-Fc-Request-Id']}" in full


def test_the_context_and_environment_describe_the_call(fclocal_factory):
    server = fclocal_factory(
        FAULTS,
        env={
            "FCLOCAL_ACCOUNT_ID": "9999888877776666",
            "FCLOCAL_ACCESS_KEY_SECRET": "never-shown-to-functions",
        },
    )

    seen = call(server, "whoami", qualifier="live").json()

    assert (seen["qualifier"], seen["version"]) == ("live", "3")
    assert (seen["function"], seen["memory"]) == ("whoami", 256)
    assert (seen["region"], seen["account"]) == ("cn-hangzhou", "9999888877776666")
    assert seen["env"]["DEMO_SETTING"] == "on"
    assert seen["env"]["DEMO_FLAG"] == "true"
    assert seen["env"]["FC_SERVICE_NAME"] == "faults"
    assert not any(name.startswith("FCLOCAL_") for name in seen["env"])


def test_requests_sharing_a_failed_initialization_all_get_its_error(faults):
    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(lambda _: call(faults, "shared-bad-init"), range(5)))

    assert {r.json()["errorMessage"] for r in responses} == {"the initializer failed"}
    assert {r.headers["X-Fc-Error-Type"] for r in responses} == {"UnhandledInvocationError"}
    cold = [r for r in responses if "runtime inited" in log_of(r)]
    assert len(cold) == len({r.headers["X-Fc-Instance-Id"] for r in responses})  # one cold log per instance
    for response in responses:
        request_id = response.headers["X-Fc-Request-Id"]
        assert f"RequestId: {request_id}, Error: the initializer failed" in log_of(response)
