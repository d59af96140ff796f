"""FC 3.0 requests are verified as fc3-api.md 7.3 says: ACS3-HMAC-SHA256 over the headers named
in SignedHeaders (x-fc-* need not be signed), x-acs-date within the window, the body's hash."""

import time

import pytest
import requests

from invocations.fc import acs3
from tests.fclocal.helpers3 import TeaException, invoke3, sdk3

INVOKE = "/2023-03-30/functions/hello/invocations"


def raw(server, method="POST", path=INVOKE, body=b"event", *, now=None, signed_headers=None, tamper=None):
    """A request signed with the repository's own signer, optionally altered after signing."""
    host = f"127.0.0.1:{server.port}"
    extra = {"content-type": "application/octet-stream", "x-fc-log-type": "None"}
    headers = acs3.request_headers(
        server.access_key_id,
        server.access_key_secret,
        method,
        path,
        host=host,
        action="InvokeFunction",
        headers=extra,
        body=body,
        now=now,
    )
    if signed_headers is not None:
        headers["authorization"] = acs3.sign(
            server.access_key_id,
            server.access_key_secret,
            method,
            path,
            headers,
            signed_headers=signed_headers,
        )
    if tamper:
        headers.update(tamper)
    return requests.request(method, f"http://{host}{path}", data=body, headers=headers, timeout=30)


def test_the_official_sdk_is_accepted(fclocal):
    assert invoke3(fclocal, "hello", b"ok").status_code == 200


def test_a_wrong_secret_is_signature_not_match(fclocal):
    with pytest.raises(TeaException) as raised:
        invoke3(fclocal, "fail", client=sdk3(fclocal, secret="not-the-secret"))

    assert (raised.value.code, raised.value.data["statusCode"]) == ("SignatureNotMatch", 403)


def test_an_unknown_access_key_is_refused(fclocal):
    with pytest.raises(TeaException) as raised:
        invoke3(fclocal, "hello", client=sdk3(fclocal, key_id="LTAIunknown"))

    assert raised.value.code == acs3.UNKNOWN_KEY_CODE
    assert raised.value.data["Message"] == "invalid access key ID 'LTAIunknown'"


def test_a_stale_date_is_refused(fclocal):
    response = raw(fclocal, now=time.time() - acs3.MAX_CLOCK_SKEW_SECONDS - 60)

    assert response.status_code == 403
    assert response.json()["Code"] == acs3.CLOCK_SKEW_ERROR_CODE
    assert "is too large" in response.json()["Message"]


def test_fc_headers_may_travel_unsigned_as_the_node_sdk_sends_them(fclocal):
    names = ["content-type", "host"] + [n for n in acs3.REQUIRED_SIGNED_HEADERS if n != "host"]
    names.append("x-acs-credentials-provider")

    response = raw(fclocal, signed_headers=names, tamper={"x-fc-log-type": "Tail"})

    assert response.status_code == 200, response.text
    assert response.content == b"event"
    assert "X-Fc-Log-Result" in response.headers


def test_a_signed_header_changed_after_signing_is_refused(fclocal):
    response = raw(fclocal, tamper={"x-fc-log-type": "Tail"})

    assert response.status_code == 403
    assert response.json()["Code"] == acs3.SIGNATURE_MISMATCH_CODE


def test_a_body_that_does_not_match_its_hash_is_refused_and_never_runs(fclocal):
    host = f"127.0.0.1:{fclocal.port}"
    headers = acs3.request_headers(
        fclocal.access_key_id,
        fclocal.access_key_secret,
        "POST",
        INVOKE,
        host=host,
        action="InvokeFunction",
        body=b"signed body",
    )

    response = requests.post(f"http://{host}{INVOKE}", data=b"another body", headers=headers, timeout=30)

    code, status = acs3.CONTENT_SHA256_MISMATCH
    assert (response.status_code, response.json()["Code"]) == (status, code)
    assert "X-Fc-Instance-Id" not in response.headers


def test_a_request_without_authorization_is_refused_with_fc3_error_json(fclocal):
    response = requests.get(f"{fclocal.url}/2023-03-30/functions", timeout=30)

    assert response.status_code == 403
    body = response.json()
    assert set(body) == {"Code", "Message", "RequestId"}
    assert body["RequestId"] == response.headers["X-Fc-Request-Id"]
