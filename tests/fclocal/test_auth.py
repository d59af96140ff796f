"""Authentication: FC signatures and Date skew for the configured keys (fc-api.md 2.3)."""

import pytest
import requests

from invocations.fc.signing import http_date
from tests.fclocal.helpers import invoke, sdk


def test_it_rejects_an_unknown_access_key_id(fclocal):
    response = invoke(fclocal, "hello", key_id="LTAIunknown")

    assert response.status_code == 403
    assert response.json() == {
        "ErrorCode": "InvalidAccessKeyID",
        "ErrorMessage": "invalid access key ID 'LTAIunknown'",
    }
    assert response.headers["X-Fc-Request-Id"]


def test_it_rejects_a_wrong_signature(fclocal):
    response = invoke(fclocal, "hello", secret="not-the-secret")

    assert response.status_code == 403
    assert response.json()["ErrorCode"] == "SignatureNotMatch"


def test_it_rejects_a_date_more_than_15_minutes_off(fclocal):
    import time

    response = invoke(fclocal, "hello", date=http_date(time.time() - 16 * 60))

    assert response.status_code == 403
    assert response.json()["ErrorCode"] == "AccessDenied"
    assert "is too large" in response.json()["ErrorMessage"]


def test_it_rejects_a_request_without_authorization(fclocal):
    response = requests.post(f"{fclocal.url}/2016-08-15/services/demo/functions/hello/invocations", data=b"x")

    assert response.status_code == 403
    assert response.json()["ErrorCode"] == "AccessDenied"


def test_it_never_runs_a_function_for_a_rejected_request(fclocal):
    response = invoke(fclocal, "fail", secret="not-the-secret")

    assert "X-Fc-Error-Type" not in response.headers
    assert "X-Fc-Instance-Id" not in response.headers


def test_it_accepts_extra_keys_from_the_environment(fclocal_factory):
    server = fclocal_factory(env={"FCLOCAL_EXTRA_KEYS": "LTAIsecond:second-secret,LTAIthird:third-secret"})

    assert invoke(server, "hello", b"x", key_id="LTAIthird", secret="third-secret").status_code == 200
    assert invoke(server, "hello", b"x").status_code == 200  # the demo pair still works


def test_it_takes_its_main_key_from_the_environment(fclocal_factory):
    server = fclocal_factory(
        env={"FCLOCAL_ACCESS_KEY_ID": "LTAIcustom", "FCLOCAL_ACCESS_KEY_SECRET": "custom-secret"}
    )

    assert invoke(server, "hello", b"x").status_code == 200  # the server object carries the custom pair
    demo = invoke(server, "hello", b"x", key_id="LTAIfclocalDemoKey", secret="fclocal-demo-secret-do-not-use")
    assert demo.status_code == 403
    assert demo.json()["ErrorCode"] == "InvalidAccessKeyID"


def test_it_refuses_to_start_with_malformed_extra_keys(fclocal_factory):
    server = fclocal_factory(env={"FCLOCAL_EXTRA_KEYS": "no-colon-here"}, start=False)

    with pytest.raises(RuntimeError, match="FCLOCAL_EXTRA_KEYS must look like 'id:secret,id2:secret2'"):
        server.start()


def test_the_official_sdk_is_accepted_for_browsing(fclocal):
    services = sdk(fclocal).list_services().data["services"]

    assert [s["serviceName"] for s in services] == ["demo"]
