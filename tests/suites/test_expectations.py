"""Judging expectations is pure code: no database, no FC."""

import json

import pytest

from suites.expectations import ExpectationError, Outcome, describe, judge, parse_path, resolve, validate

BODY = json.dumps({"a": {"b": [{"c": 7}, {"c": 8}]}, "msg": "hello world"}).encode()


def ok(**fields) -> Outcome:
    return Outcome(
        **{
            "state": "succeeded",
            "body": BODY,
            "duration_ms": 12.5,
            "max_memory_mb": 30.0,
            "log_tail": "FC Invoke Start\nhello: received 10 bytes\n",
            "http_status": 200,
        }
        | fields
    )


def verdicts(expect, outcome) -> list[tuple[str, bool, str]]:
    return [(j.text, j.passed, j.detail) for j in judge(expect, outcome)]


def test_it_reads_the_json_path_subset():
    assert parse_path("$.a.b[0].c") == ["a", "b", 0, "c"]
    assert parse_path("$") == []
    assert resolve(json.loads(BODY), "$.a.b[1].c") == 8
    with pytest.raises(ExpectationError):
        parse_path("a.b")
    with pytest.raises(ExpectationError):
        parse_path("$.a[x]")


def test_the_default_is_to_succeed():
    assert verdicts({}, ok()) == [("ends in state succeeded (the default)", True, "")]
    assert verdicts({}, ok(state="failed", error_type="DemoFailure"))[0][1:] == (
        False,
        "it ended failed (DemoFailure)",
    )


def test_failed_with_an_error_type():
    expect = {"state": "failed", "error_type": "DemoFailure"}
    assert verdicts(expect, ok(state="failed", error_type="DemoFailure"))[0] == (
        "ends in state failed with error type DemoFailure",
        True,
        "",
    )
    assert verdicts(expect, ok(state="failed", error_type="Other"))[0][2] == "the error type was Other"


def test_equals_and_contains_at_a_path():
    assert all(j.passed for j in judge({"json_path": "$.a.b[0].c", "equals": 7}, ok()))
    failed = verdicts({"json_path": "$.a.b[0].c", "equals": 8}, ok())[1]
    assert failed == ("the result at $.a.b[0].c equals 8", False, "it was 7")
    assert verdicts({"json_path": "$.msg", "contains": "world"}, ok())[1][1]
    assert verdicts({"json_path": "$.a.b", "contains": {"c": 8}}, ok())[1][1]
    assert verdicts({"json_path": "$.a", "contains": {"b": [1]}}, ok())[1][1] is False
    assert verdicts({"json_path": "$.nope", "equals": 1}, ok())[1][2] == "there is nothing at $.nope"
    assert verdicts({"equals": 1}, ok(body=b"not json"))[1][2] == "the result is not JSON"


def test_matches_a_regular_expression():
    assert verdicts({"matches": r"hello \w+"}, ok())[1][1]
    assert verdicts({"json_path": "$.msg", "matches": "^bye"}, ok())[1][1:] == (False, 'it was "hello world"')


def test_duration_memory_log_and_http_status():
    expect = {
        "max_duration_ms": 10,
        "max_memory_mb": 64,
        "log_contains": "received",
        "log_excludes": "Traceback",
        "http_status": 201,
    }
    assert verdicts(expect, ok())[1:] == [
        ("takes at most 10 ms", False, "it was 12.5 ms"),
        ("uses at most 64 MB of memory", True, ""),
        ('log tail contains "received"', True, ""),
        ('log tail does not contain "Traceback"', True, ""),
        ("answers HTTP status 201", False, "it answered 200"),
    ]
    assert verdicts({"max_duration_ms": 10}, ok(duration_ms=None))[1][2] == "no duration was reported"


def test_describe_says_it_in_plain_words():
    assert describe({"state": "succeeded", "json_path": "$.k", "equals": "v"}) == [
        "ends in state succeeded",
        'the result at $.k equals "v"',
    ]


def test_validate_refuses_what_cannot_be_judged():
    for bad in (
        {"nope": 1},
        {"state": "maybe"},
        {"matches": "("},
        {"json_path": "x"},
        {"max_duration_ms": "10"},
        {"error_type": "X"},
    ):
        with pytest.raises(ExpectationError):
            validate(bad)
    assert validate({"equals": None, "log_contains": ""}) == {"equals": None}
