"""HTTP triggers of FC 3.0 built-in runtimes (fc3-api.md 8.1): the handler gets the request as a
JSON event, and its `{statusCode, headers, body, isBase64Encoded}` answer becomes the response."""

import base64
import http.client
import json
import textwrap

import pytest
import requests

from invocations.fc import acs3

TRIGGER = "/2023-03-30/proxy/http-echo"


def test_the_handler_receives_the_documented_json_event(fclocal):
    response = requests.post(
        f"{fclocal.url}{TRIGGER}/items/a%20b?x=1&y=2&y=3",
        data=b"Hello FC!",
        headers={"User-Agent": "curl/8.0", "X-Custom": "one"},
        timeout=30,
    )

    assert response.status_code == 200
    assert response.headers["X-Demo"] == "http-echo"
    event = response.json()["event"]
    assert event["version"] == "v1"
    assert event["rawPath"] == "/items/a%20b"
    assert (event["body"], event["isBase64Encoded"]) == ("Hello FC!", False)
    assert event["headers"]["X-Custom"] == "one"
    assert event["headers"]["User-Agent"] == "curl/8.0"
    assert event["queryParameters"] == {"x": "1", "y": "2,3"}
    context = event["requestContext"]
    assert context["accountId"] == fclocal.account_id
    assert context["http"] == {
        "method": "POST",
        "path": "/items/a b",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "curl/8.0",
    }
    assert context["requestId"] == response.headers["X-Fc-Request-Id"] == response.json()["requestId"]
    assert context["time"].endswith("Z")
    assert context["timeEpoch"].isdigit()
    assert context["domainName"] == f"127.0.0.1:{fclocal.port}"


def test_repeated_headers_are_merged_with_commas(fclocal):
    connection = http.client.HTTPConnection("127.0.0.1", fclocal.port, timeout=30)
    connection.putrequest("GET", f"{TRIGGER}/")
    connection.putheader("x-twice", "value1")
    connection.putheader("x-twice", "value2")
    connection.endheaders()
    event = json.loads(connection.getresponse().read())["event"]

    assert event["headers"]["X-Twice"] == "value1,value2"


def test_a_binary_body_arrives_base64_encoded(fclocal):
    response = requests.put(f"{fclocal.url}{TRIGGER}", data=b"\x00\xff\xfe", timeout=30)

    event = response.json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff\xfe"
    assert event["rawPath"] == "/"


def test_a_method_the_trigger_does_not_allow_is_refused(fclocal):
    response = requests.patch(f"{fclocal.url}{TRIGGER}/", timeout=30)

    assert response.status_code == 403
    assert response.headers["X-Fc-Error-Type"] == "FcCommonError"
    assert response.json()["Code"] == "AccessDenied"


def test_a_function_without_an_http_trigger_has_no_url(fclocal):
    response = requests.get(f"{fclocal.url}/2023-03-30/proxy/hello/", timeout=30)

    assert response.status_code == 404
    assert response.json()["Code"] == "TriggerNotFound"


ANSWERS = """
import base64, json

def handler(event, context):
    path = json.loads(event)["rawPath"]
    if path == "/created":
        return {"statusCode": 201, "headers": {"Location": "/things/1"}, "body": "made"}
    if path == "/binary":
        return {"statusCode": 200, "body": base64.b64encode(b"\\x00\\x01").decode(), "isBase64Encoded": True}
    if path == "/plain":
        return "just a string"
    raise RuntimeError("no such page")
"""

PROJECT = """
edition: 3.0.0
name: answers
resources:
  web:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: answers
      runtime: python3.10
      code: ./code
      handler: index.handler
      triggers:
        - triggerName: web
          triggerType: http
          qualifier: prod
          triggerConfig: {authType: function, methods: [GET]}
      versions: [{id: "1"}]
      aliases: [{name: prod, versionId: "1"}]
"""


@pytest.fixture
def answers(tmp_path, fclocal_factory):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "index.py").write_text(textwrap.dedent(ANSWERS))
    (tmp_path / "s.yaml").write_text(textwrap.dedent(PROJECT))
    return fclocal_factory(tmp_path / "s.yaml")


def signed_get(server, path):
    host = f"127.0.0.1:{server.port}"
    headers = acs3.request_headers(
        server.access_key_id, server.access_key_secret, "GET", path, host=host, action="HttpTrigger"
    )
    return requests.get(f"http://{host}{path}", headers=headers, timeout=30)


def test_the_handlers_answer_is_mapped_to_status_headers_and_body(answers):
    created = signed_get(answers, "/2023-03-30/proxy/answers.prod/created")
    binary = signed_get(answers, "/2023-03-30/proxy/answers.prod/binary")
    plain = signed_get(answers, "/2023-03-30/proxy/answers.prod/plain")

    assert (created.status_code, created.headers["Location"], created.content) == (201, "/things/1", b"made")
    assert (binary.status_code, binary.content) == (200, b"\x00\x01")
    assert (plain.status_code, plain.content) == (200, b"just a string")
    assert created.headers["X-Fc-Invocation-Service-Version"] == "1"


def test_a_function_auth_trigger_refuses_unsigned_requests(answers):
    response = requests.get(f"{answers.url}/2023-03-30/proxy/answers.prod/plain", timeout=30)

    assert response.status_code == 403
    assert response.headers["X-Fc-Error-Type"] == "FcCommonError"


def test_a_trigger_is_reached_only_through_its_qualifier(answers):
    response = signed_get(answers, "/2023-03-30/proxy/answers/plain")

    assert response.status_code == 404
    assert response.json()["Code"] == "TriggerNotFound"


def test_a_failing_http_function_answers_502_with_its_error(answers):
    response = signed_get(answers, "/2023-03-30/proxy/answers.prod/broken")

    assert response.status_code == 502
    assert response.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert response.json()["errorMessage"] == "no such page"
