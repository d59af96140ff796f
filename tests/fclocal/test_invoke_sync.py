"""Sync InvokeFunction through the official Python SDK (fc2) and raw signed requests."""

import base64
import json

import fc2
import pytest

from tests.fclocal.helpers import invoke, log_of, sdk


def test_it_echoes_the_event_through_the_official_sdk(fclocal):
    response = sdk(fclocal).invoke_function(
        "demo", "hello", payload=b'{"name": "fc"}', headers={"x-fc-log-type": "Tail"}
    )

    assert response.data == b'{"name": "fc"}'
    log = base64.b64decode(response.headers["X-Fc-Log-Result"]).decode()
    request_id = response.headers["X-Fc-Request-Id"]
    assert f"FC Invoke Start RequestId: {request_id}" in log
    assert f"{request_id} [INFO] hello from fclocal: received 14 bytes" in log
    assert f"FC Invoke End RequestId: {request_id}" in log


def test_it_sends_every_response_header_of_fc(fclocal):
    response = invoke(fclocal, "hello", b"hi")

    assert response.status_code == 200
    h = response.headers
    assert h["X-Fc-Request-Id"].startswith("1-")
    assert h["X-Fc-Code-Checksum"].isdigit()
    assert h["X-Fc-Invocation-Duration"].isdigit()
    assert float(h["X-Fc-Max-Memory-Usage"]) > 1
    assert h["X-Fc-Invocation-Service-Version"] == "LATEST"
    assert h["X-Fc-Instance-Id"].startswith("c-")
    assert "x-fc-log-result" in h["Access-Control-Expose-Headers"]
    assert "X-Fc-Error-Type" not in h
    assert h["Date"].endswith("GMT")
    assert h["Content-Length"] == "2"


def test_its_log_ends_with_the_summary_line(fclocal):
    log = log_of(invoke(fclocal, "hello", b"x"))

    summary = log.rsplit("\n", 1)[1]
    assert summary.startswith("Duration: ")
    assert ", Billed Duration: " in summary
    assert ", Memory Size: 128 MB, Max Memory Used: " in summary
    assert summary.endswith(" MB")
    assert log.split("\n")[-2] == ""


def test_it_omits_the_log_without_log_type_tail(fclocal):
    response = invoke(fclocal, "hello", b"x", headers={"X-Fc-Log-Type": "None"})

    assert "X-Fc-Log-Result" not in response.headers


def test_it_reports_a_function_error_as_200_with_the_error_type(fclocal):
    response = invoke(fclocal, "fail")

    assert response.status_code == 200
    assert response.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    body = response.json()
    assert body["errorMessage"] == "this function always fails"
    assert body["errorType"] == "DemoFailure"
    assert body["stackTrace"][0][2] == "in handler"
    assert "[ERROR] Traceback" in log_of(response)


def test_the_official_sdk_raises_for_a_function_error(fclocal):
    with pytest.raises(fc2.fc_exceptions.FcError) as raised:
        sdk(fclocal).invoke_function("demo", "fail")

    assert raised.value.status_code == 200
    assert json.loads(raised.value.message)["errorType"] == "DemoFailure"


def test_it_reuses_a_warm_instance(fclocal):
    first = invoke(fclocal, "hello", b"1")
    second = invoke(fclocal, "hello", b"2")

    assert second.headers["X-Fc-Instance-Id"] == first.headers["X-Fc-Instance-Id"]
    assert "runtime inited" not in log_of(second)
    assert "FC Initialize Start" not in log_of(second)


def test_it_reads_an_oss_event(fclocal):
    event = {"events": [{"oss": {"bucket": {"name": "my-bucket"}, "object": {"key": "uploads/a.png"}}}]}

    response = invoke(fclocal, "oss-thumbnail", json.dumps(event).encode())

    assert response.json() == [
        {"bucket": "my-bucket", "key": "uploads/a.png", "thumbnail": "thumbnails/uploads/a.png"}
    ]
    assert "[INFO] thumbnail for oss://my-bucket/uploads/a.png" in log_of(response)


def test_a_client_that_hangs_up_early_leaves_no_traceback_in_the_server_log(fclocal_factory):
    import requests

    from tests.fclocal.helpers import event
    from tests.fixtures.waiting import wait_until

    server = fclocal_factory(access_log=True)
    with pytest.raises(requests.ReadTimeout):
        invoke(server, "slow", event(seconds=1), timeout=0.3)
    # The function finishes and fclocal answers the client that left: its access-log line is
    # written as the answer starts; the next request's round trip covers the rest of the write.
    wait_until(
        lambda: '"POST /2016-08-15/services/demo/functions/slow/invocations' in server.log(), seconds=15
    )

    assert invoke(server, "hello", b"still here").content == b"still here"
    assert "Traceback" not in server.log()
