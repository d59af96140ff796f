"""The validation rules every entry point (form, REST API, CLI) shares."""

import pytest
from django.core.exceptions import ValidationError

from invocations import rules

VALID = dict(
    region="cn-hangzhou",
    service="demo",
    function="hello",
    qualifier="",
    event=b"{}",
    invocation_type="sync",
    client_timeout=None,
    async_invocation_id="",
    http_request=None,
)


def errors_of(**changes) -> dict:
    with pytest.raises(ValidationError) as err:
        rules.check(**{**VALID, **changes})
    return err.value.message_dict


def test_it_accepts_a_plain_request():
    rules.check(**VALID)


@pytest.mark.parametrize("name", ["demo", "_private", "my-service_2", "A" * 128])
def test_it_accepts_service_names_fc_accepts(name):
    rules.validate_service_name(name)


@pytest.mark.parametrize("name", ["", "2fast", "-dash", "has.dot", "has space", "A" * 129, "ünïcode"])
def test_it_rejects_service_names_fc_refuses(name):
    with pytest.raises(ValidationError):
        rules.validate_service_name(name)


def test_it_names_the_rule_a_bad_function_name_breaks():
    assert errors_of(function="9lives")["function"] == [
        "A function name uses letters, digits, '_' and '-', and starts with a letter or '_'."
    ]


@pytest.mark.parametrize("qualifier", ["", "LATEST", "1", "42", "prod", "blue_green-2"])
def test_it_accepts_versions_and_aliases_as_qualifier(qualifier):
    rules.validate_qualifier(qualifier)


@pytest.mark.parametrize("qualifier", ["1.2", "-prod", "prod alias", "a" * 129])
def test_it_rejects_qualifiers_that_are_neither_version_nor_alias(qualifier):
    with pytest.raises(ValidationError):
        rules.validate_qualifier(qualifier)


@pytest.mark.parametrize("region", ["cn-hangzhou", "ap-southeast-1", "us-west-1"])
def test_it_accepts_region_ids(region):
    rules.validate_region(region)


@pytest.mark.parametrize("region", ["", "CN-Hangzhou", "cn_hangzhou", "evil.com/x"])
def test_it_rejects_what_cannot_be_a_region_in_a_host_name(region):
    with pytest.raises(ValidationError):
        rules.validate_region(region)


def test_it_accepts_an_async_payload_of_exactly_128kb():
    rules.check(**{**VALID, "invocation_type": "async", "event": b"x" * 128 * 1024})


def test_it_rejects_payload_over_128kb_for_async():
    errors = errors_of(invocation_type="async", event=b"x" * (128 * 1024 + 1))
    assert errors["event"] == [
        "The event is 131,073 bytes; FC accepts at most 131,072 bytes (128.0 KB) for an async invocation."
    ]


def test_it_accepts_a_sync_payload_over_128kb():
    rules.check(**{**VALID, "event": b"x" * (200 * 1024)})


def test_it_rejects_payload_over_32mb_for_sync():
    errors = errors_of(event=b"x" * (32 * 1024 * 1024 + 1))
    assert errors["event"] == [
        "The event is 33,554,433 bytes; FC accepts at most 33,554,432 bytes (32.0 MB) for a sync invocation."
    ]


@pytest.mark.parametrize("task_id", ["job_1", "_x", "Nightly-Export-2024", "a" * 128])
def test_it_accepts_async_task_ids_fc_accepts(task_id):
    rules.validate_async_invocation_id(task_id)


@pytest.mark.parametrize("task_id", ["1job", "-job", "job.1", "job 1", "a" * 129])
def test_it_rejects_async_task_ids_fc_refuses(task_id):
    with pytest.raises(ValidationError):
        rules.validate_async_invocation_id(task_id)


def test_a_generated_async_task_id_is_valid_unique_and_recognisably_ours():
    first, second = rules.new_async_invocation_id(), rules.new_async_invocation_id()
    rules.validate_async_invocation_id(first)
    assert first != second
    assert first.startswith(rules.ASYNC_ID_PREFIX)


def test_it_rejects_an_async_task_id_on_a_sync_invocation():
    assert "async_invocation_id" in errors_of(async_invocation_id="job_1")


@pytest.mark.parametrize("timeout", [0, -5, 86_400 + 601, 2.5, True])
def test_it_rejects_client_timeouts_outside_whole_seconds_in_range(timeout):
    assert "client_timeout" in errors_of(client_timeout=timeout)


def test_it_reports_every_problem_at_once_keyed_by_field():
    errors = errors_of(region="", service="1", function="", invocation_type="later")
    assert set(errors) == {"region", "service", "function", "invocation_type"}


def test_it_accepts_an_http_trigger_request():
    request = {
        "method": "POST",
        "path": "/hi",
        "headers": {"Content-Type": "application/json"},
        "body": {"a": 1},
    }
    rules.check(**{**VALID, "event": b"", "http_request": request})


@pytest.mark.parametrize(
    "request_, message",
    [
        ({"method": "BREW"}, "method must be one of"),
        ({"headers": ["a"]}, "headers must be an object"),
        ({"url": "/x"}, "Unknown HTTP request keys: url."),
    ],
)
def test_it_rejects_an_http_request_that_cannot_be_sent(request_, message):
    errors = errors_of(event=b"", http_request=request_)
    assert message in errors["http_request"][0]


def test_it_applies_the_async_limit_to_an_http_request_body():
    errors = errors_of(
        event=b"", invocation_type="async", http_request={"method": "POST", "body": "x" * 200_000}
    )
    assert "FC accepts at most 128.0 KB" in errors["http_request"][0]


def test_it_refuses_both_an_event_and_an_http_request():
    assert "event" in errors_of(http_request={"method": "GET"})


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://1234567890123456.cn-hangzhou.fc.aliyuncs.com",
        "http://127.0.0.1:9000",
        "http://localhost:9000/",
    ],
)
def test_it_allows_endpoints_on_the_allow_list(endpoint):
    rules.validate_endpoint(endpoint)


@pytest.mark.parametrize(
    "endpoint, message",
    [
        ("https://evil.example.com", "evil.example.com is not an allowed FC endpoint host"),
        ("https://fc.aliyuncs.com.evil.example.com", "is not an allowed FC endpoint host"),
        ("ftp://127.0.0.1", "http:// or https://"),
        ("http://user:pw@127.0.0.1:9000", "no user, path or query"),
        ("http://127.0.0.1:9000/2016-08-15", "no user, path or query"),
    ],
)
def test_it_refuses_endpoints_off_the_allow_list(endpoint, message):
    with pytest.raises(ValidationError) as err:
        rules.validate_endpoint(endpoint)
    assert message in err.value.messages[0]


def test_the_allow_list_comes_from_settings(settings):
    settings.FC_ENDPOINT_ALLOWED_HOSTS = ["fc.internal.example.com"]
    rules.validate_endpoint("https://fc.internal.example.com")
    with pytest.raises(ValidationError):
        rules.validate_endpoint("http://127.0.0.1:9000")


@pytest.mark.parametrize(
    "rule",
    [
        rules.validate_profile_name,
        rules.validate_region,
        rules.validate_service_name,
        rules.validate_function_name,
        rules.validate_qualifier,
        rules.validate_async_invocation_id,
        rules.validate_account_id,
        rules.validate_access_key_id,
    ],
)
@pytest.mark.parametrize("tail", ["\n", "\r\n", "\x00", "\t", " "])
def test_no_name_or_id_may_end_in_a_newline_or_control_character(rule, tail):
    good = {"validate_account_id": "1234567890123456", "validate_region": "cn-hangzhou"}.get(
        rule.__name__, "LTAIabc1"
    )
    rule(good)
    with pytest.raises(ValidationError):
        rule(good + tail)
