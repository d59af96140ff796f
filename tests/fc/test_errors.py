"""What a failure means for the caller: the one classification table, and reading FC's error bodies."""

from __future__ import annotations

import json

import pytest

from invocations.fc.errors import FCError, classify

# (code, status) -> (retryable, outcome_unknown)
CLASSIFICATION = [
    # nothing reached FC: safe to send again
    ("ConnectionRefused", None, True, False),
    ("ConnectTimeout", None, True, False),
    # nothing reached FC, but sending again will not help (DNS, TLS, proxy)
    ("ConnectionFailed", None, False, False),
    # may have reached FC: never re-send an invoke
    ("ReadTimeout", None, False, True),
    ("ConnectionReset", None, False, True),
    # FC refused before running anything
    ("ResourceExhausted", 429, True, False),
    ("ResourceThrottled", 503, True, False),
    ("HTTP503", 503, True, False),
    # a gateway in front of FC gave up waiting: FC may have run it
    ("HTTP502", 502, False, True),
    ("HTTP504", 504, False, True),
    # FC answered with a definite refusal
    ("InvalidArgument", 400, False, False),
    ("EntityTooLarge", 400, False, False),
    ("SignatureNotMatch", 403, False, False),
    ("InvalidAccessKeyID", 403, False, False),
    ("AccessDenied", 403, False, False),
    ("FunctionNotFound", 404, False, False),
    ("StatefulAsyncInvocationAlreadyExists", 409, False, False),
    ("StatefulAsyncInvocationAlreadyCompleted", 412, False, False),
    ("InternalServerError", 500, False, False),
    ("InvalidResponse", 200, False, False),
    ("SomethingNew", None, False, False),
]


@pytest.mark.parametrize(("code", "status", "retryable", "unknown"), CLASSIFICATION)
def test_classification_table(code, status, retryable, unknown):
    outcome = classify(code, status)
    assert (outcome.retryable, outcome.outcome_unknown) == (retryable, unknown)
    error = FCError(code, "text", status)
    assert (error.retryable, error.outcome_unknown) == (retryable, unknown)


def test_it_reads_fc_error_json():
    body = json.dumps(
        {"ErrorCode": "FunctionNotFound", "ErrorMessage": "function 'x' does not exist"}
    ).encode()
    error = FCError.from_response(404, body, "req-1")
    assert (error.code, error.message, error.status, error.request_id) == (
        "FunctionNotFound",
        "function 'x' does not exist",
        404,
        "req-1",
    )
    assert str(error) == "404 FunctionNotFound: function 'x' does not exist (request id req-1)"


def test_it_reads_the_lower_camel_keys_of_the_docs():
    error = FCError.from_response(429, b'{"errorCode": "ResourceExhausted", "errorMessage": "busy"}', None)
    assert (error.code, error.message) == ("ResourceExhausted", "busy")
    assert error.retryable


def test_a_non_json_body_becomes_the_message_under_an_http_status_code():
    error = FCError.from_response(502, b"<html>Bad Gateway</html>", None)
    assert (error.code, error.message) == ("HTTP502", "<html>Bad Gateway</html>")
    assert error.outcome_unknown


def test_an_empty_body_still_gives_a_message():
    error = FCError.from_response(503, b"", "r")
    assert (error.code, error.message) == ("HTTP503", "HTTP status 503")


def test_a_json_body_that_is_not_an_error_object_is_kept_as_text():
    error = FCError.from_response(500, b"[1, 2]", None)
    assert (error.code, error.message) == ("HTTP500", "[1, 2]")


def test_a_numeric_retry_after_is_kept_and_a_date_one_is_ignored():
    assert FCError.from_response(429, b"", None, "3").retry_after == 3.0
    assert FCError.from_response(429, b"", None, "Wed, 21 Oct 2015 07:28:00 GMT").retry_after is None
