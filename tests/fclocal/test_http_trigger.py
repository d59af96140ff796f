"""HTTP triggers: /2016-08-15/proxy/{service}[.{q}]/{function}/{path} to a WSGI handler (fc-api.md 7.4)."""

import base64

import requests

from tests.fclocal.helpers import FAULTS, sdk, signed


def test_an_anonymous_trigger_needs_no_signature(fclocal):
    response = requests.post(
        f"{fclocal.url}/2016-08-15/proxy/demo/http-hello/items/a%20b?x=1&y=2", data=b"payload", timeout=30
    )

    assert response.status_code == 200
    assert response.headers["X-Demo"] == "http-hello"
    body = response.json()
    assert body["method"] == "POST"
    assert body["path"] == "/items/a b"
    assert body["query"] == "x=1&y=2"
    assert body["body"] == "payload"
    assert body["requestUri"] == "/2016-08-15/proxy/demo/http-hello/items/a%20b?x=1&y=2"
    assert body["requestId"] == response.headers["X-Fc-Request-Id"]


def test_a_function_auth_trigger_rejects_unsigned_requests_with_400(fclocal):
    response = requests.get(f"{fclocal.url}/2016-08-15/proxy/demo/http-secure/", timeout=30)

    assert response.status_code == 400
    assert response.headers["X-Fc-Error-Type"] == "FcCommonError"


def test_a_function_auth_trigger_accepts_the_official_sdk(fclocal):
    response = sdk(fclocal).do_http_request(
        "GET", "demo", "http-secure", "/report", params={"b": "2", "a": "1"}
    )

    assert response.status_code == 200
    assert response.json()["path"] == "/report"
    assert sorted(response.json()["query"].split("&")) == ["a=1", "b=2"]


def test_a_signed_request_with_a_tampered_query_is_refused(fclocal):
    ok = signed(fclocal, "GET", "/2016-08-15/proxy/demo/http-secure/x", query={"a": "1"})
    assert ok.status_code == 200
    headers = {k: v for k, v in ok.request.headers.items()}

    tampered = requests.get(
        f"{fclocal.url}/2016-08-15/proxy/demo/http-secure/x?a=2", headers=headers, timeout=30
    )

    assert tampered.status_code == 403
    assert tampered.json()["ErrorCode"] == "SignatureNotMatch"
    assert tampered.headers["X-Fc-Error-Type"] == "FcCommonError"


def test_it_returns_the_log_tail_when_asked(fclocal):
    response = requests.get(
        f"{fclocal.url}/2016-08-15/proxy/demo.LATEST/http-hello/logged",
        headers={"X-Fc-Log-Type": "Tail"},
        timeout=30,
    )

    log = base64.b64decode(response.headers["X-Fc-Log-Result"]).decode()
    assert "[INFO] GET /logged" in log
    assert response.headers["X-Fc-Invocation-Service-Version"] == "LATEST"


def test_a_method_the_trigger_does_not_allow_is_refused(fclocal):
    response = requests.patch(f"{fclocal.url}/2016-08-15/proxy/demo/http-hello/", timeout=30)

    assert response.status_code == 403
    assert response.headers["X-Fc-Error-Type"] == "FcCommonError"


def test_a_function_without_an_http_trigger_has_no_proxy(fclocal):
    response = requests.get(f"{fclocal.url}/2016-08-15/proxy/demo/hello/", timeout=30)

    assert response.status_code == 404
    assert response.json()["ErrorCode"] == "TriggerNotFound"
    assert response.headers["X-Fc-Error-Type"] == "FcCommonError"


def test_an_empty_path_reaches_the_handler_as_slash(fclocal):
    response = requests.get(f"{fclocal.url}/2016-08-15/proxy/demo/http-hello", timeout=30)

    assert response.json()["path"] == "/"


def test_a_failing_http_function_answers_502_with_its_error(fclocal_factory):
    server = fclocal_factory(FAULTS)

    response = requests.post(f"{server.url}/2016-08-15/proxy/faults/web-fail/boom", timeout=30)

    assert response.status_code == 502
    assert response.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert response.json()["errorMessage"] == "the page broke"
    assert response.json()["errorType"] == "RuntimeError"
