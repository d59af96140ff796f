"""FC 3.0 InvokeFunction (fc3-api.md 4), driven by the official SDK `alibabacloud-fc20230330`."""

import json

import pytest

from fclocal.errors import ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT
from tests.fclocal.helpers3 import TeaException, body_of, invoke3, log_of3


def refused(call) -> TeaException:
    with pytest.raises(TeaException) as raised:
        call()
    return raised.value


def test_it_returns_the_result_and_the_log_tail_of_a_sync_invocation(fclocal):
    response = invoke3(fclocal, "hello", b'{"name": "fc3"}')

    assert response.status_code == 200
    assert body_of(response) == b'{"name": "fc3"}'
    request_id = response.headers["x-fc-request-id"]
    log = log_of3(response)
    assert f"FC Invoke Start RequestId: {request_id}" in log
    assert f"{request_id} [INFO] hello from fclocal 3.0: received 15 bytes" in log
    assert "Max Memory Used:" in log.splitlines()[-1]


def test_it_sends_the_invoke_headers_clients_read(fclocal):
    headers = invoke3(fclocal, "hello", b"hi").headers

    assert headers["x-fc-code-checksum"].isdigit()
    assert headers["x-fc-instance-id"].startswith("c-")
    assert headers["x-fc-invocation-service-version"] == "LATEST"
    assert "x-fc-error-type" not in headers


def test_it_sends_no_log_unless_asked(fclocal):
    assert "x-fc-log-result" not in invoke3(fclocal, "hello", b"x", log="None").headers


def test_a_function_error_is_200_with_the_error_type_and_the_runtime_error(fclocal):
    response = invoke3(fclocal, "fail", b"{}")

    assert response.status_code == 200
    assert response.headers["x-fc-error-type"] == "UnhandledInvocationError"
    error = json.loads(body_of(response))
    assert error["errorMessage"] == "this function always fails"
    assert error["errorType"] == "DemoFailure"
    assert "[INFO] about to fail" in log_of3(response)


def test_warm_instances_are_reused_between_calls(fclocal):
    first = invoke3(fclocal, "noop").headers["x-fc-instance-id"]

    assert invoke3(fclocal, "noop").headers["x-fc-instance-id"] == first


def test_an_alias_qualifier_runs_the_version_it_points_to(fclocal):
    response = invoke3(fclocal, "hello", b"x", qualifier="prod")

    assert response.headers["x-fc-invocation-service-version"] == "1"


def test_a_version_qualifier_and_latest_run(fclocal):
    assert invoke3(fclocal, "hello", b"x", qualifier="1").headers["x-fc-invocation-service-version"] == "1"
    latest = invoke3(fclocal, "hello", b"x", qualifier="LATEST")
    assert latest.headers["x-fc-invocation-service-version"] == "LATEST"


def test_an_unknown_alias_is_alias_not_found_in_fc3_error_json(fclocal):
    error = refused(lambda: invoke3(fclocal, "hello", qualifier="staging"))

    assert error.code == "AliasNotFound"
    assert error.message.startswith(
        "code: 404, alias 'staging' of function 'hello' does not exist request id: 1-"
    )
    assert error.data["RequestId"].startswith("1-")


def test_an_unknown_version_is_version_not_found(fclocal):
    assert refused(lambda: invoke3(fclocal, "hello", qualifier="42")).code == "VersionNotFound"


def test_an_unknown_function_is_function_not_found(fclocal):
    error = refused(lambda: invoke3(fclocal, "nope"))

    assert (error.code, error.data["statusCode"]) == ("FunctionNotFound", 404)
    assert error.data["Message"] == "function 'nope' does not exist"


def test_fc2_functions_live_in_their_own_namespace(fclocal):
    """`hello` of 3.0 and `demo/hello` of 2.0 are different functions, each with its own setting."""
    fc3 = log_of3(invoke3(fclocal, "hello", b"x"))
    fc2 = log_of3(invoke3(fclocal, "demo$hello", b"x"))

    assert "hello from fclocal 3.0" in fc3
    assert "hello from fclocal: received" in fc2


def test_a_sync_payload_over_32mb_is_entity_too_large(fclocal):
    error = refused(lambda: invoke3(fclocal, "noop", b"x" * (SYNC_PAYLOAD_LIMIT + 1)))

    assert (error.code, error.data["statusCode"]) == ("EntityTooLarge", 400)
    assert error.data["Message"] == f"payload size exceeds maximum allowed size ({SYNC_PAYLOAD_LIMIT} bytes)"


def test_an_async_payload_over_128kb_is_entity_too_large(fclocal):
    error = refused(lambda: invoke3(fclocal, "noop", b"x" * (ASYNC_PAYLOAD_LIMIT + 1), kind="Async"))

    assert error.code == "EntityTooLarge"
    assert str(ASYNC_PAYLOAD_LIMIT) in error.data["Message"]


def test_an_unknown_invocation_type_is_an_invalid_argument(fclocal):
    assert refused(lambda: invoke3(fclocal, "noop", kind="Sometimes")).code == "InvalidArgument"
