"""Qualifiers, unknown targets and payload limits of InvokeFunction."""

from fclocal.errors import ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT
from tests.fclocal.helpers import invoke


def test_an_alias_resolves_to_its_version(fclocal):
    response = invoke(fclocal, "hello", b"x", qualifier="prod")

    assert response.status_code == 200
    assert response.headers["X-Fc-Invocation-Service-Version"] == "1"


def test_a_declared_version_and_latest_run(fclocal):
    assert invoke(fclocal, "hello", b"x", qualifier="1").headers["X-Fc-Invocation-Service-Version"] == "1"
    assert (
        invoke(fclocal, "hello", b"x", qualifier="LATEST").headers["X-Fc-Invocation-Service-Version"]
        == "LATEST"
    )


def test_an_unknown_alias_is_alias_not_found(fclocal):
    response = invoke(fclocal, "hello", qualifier="staging")

    assert response.status_code == 404
    assert response.json() == {
        "ErrorCode": "AliasNotFound",
        "ErrorMessage": "alias 'staging' of service 'demo' does not exist",
    }


def test_an_unknown_version_is_version_not_found(fclocal):
    response = invoke(fclocal, "hello", qualifier="42")

    assert response.status_code == 404
    assert response.json()["ErrorCode"] == "VersionNotFound"


def test_an_unknown_function_is_function_not_found(fclocal):
    response = invoke(fclocal, "nope")

    assert response.status_code == 404
    assert response.json()["ErrorCode"] == "FunctionNotFound"


def test_it_rejects_payload_over_32mb_for_sync(fclocal):
    response = invoke(fclocal, "noop", b"x" * (SYNC_PAYLOAD_LIMIT + 1))

    assert response.status_code == 400
    assert response.json() == {
        "ErrorCode": "EntityTooLarge",
        "ErrorMessage": f"payload size exceeds maximum allowed size ({SYNC_PAYLOAD_LIMIT} bytes)",
    }


def test_it_accepts_payload_of_exactly_32mb_for_sync(fclocal):
    response = invoke(fclocal, "noop", b"x" * SYNC_PAYLOAD_LIMIT, headers={"X-Fc-Log-Type": "None"})

    assert response.status_code == 200
    assert "X-Fc-Error-Type" not in response.headers


def test_it_rejects_payload_over_128kb_for_async(fclocal):
    response = invoke(
        fclocal, "noop", b"x" * (ASYNC_PAYLOAD_LIMIT + 1), headers={"X-Fc-Invocation-Type": "Async"}
    )

    assert response.status_code == 400
    assert response.json()["ErrorCode"] == "EntityTooLarge"
    assert f"({ASYNC_PAYLOAD_LIMIT} bytes)" in response.json()["ErrorMessage"]


def test_it_rejects_an_unknown_invocation_type(fclocal):
    response = invoke(fclocal, "noop", headers={"X-Fc-Invocation-Type": "Later"})

    assert response.status_code == 400
    assert response.json()["ErrorCode"] == "InvalidArgument"
