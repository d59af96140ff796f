"""Building the proxy request of an HTTP-trigger invoke from an `s invoke` request description."""

from __future__ import annotations

import pytest

from invocations.fc.http_trigger import HttpRequestError, build, encode_query, proxy_path, query_pairs


def test_proxy_path_with_and_without_qualifier():
    assert proxy_path("demo", "web", None) == "/2016-08-15/proxy/demo/web/"
    assert proxy_path("demo", "web", "prod", "a/b") == "/2016-08-15/proxy/demo.prod/web/a/b"


def test_a_leading_slash_does_not_double_the_slash():
    assert proxy_path("demo", "web", "LATEST", "/a") == proxy_path("demo", "web", "LATEST", "a")


def test_the_path_is_percent_encoded_for_the_wire():
    assert proxy_path("demo", "web", "LATEST", "path with space/ü?") == (
        "/2016-08-15/proxy/demo.LATEST/web/path%20with%20space/%C3%BC%3F"
    )


def test_queries_become_pairs_with_repeats_and_bare_keys():
    assert query_pairs({"a": "1", "b": ["2", "3"], "c": None, "n": 5}) == [
        ("a", "1"),
        ("b", "2"),
        ("b", "3"),
        ("c", None),
        ("n", "5"),
    ]
    assert encode_query([("with space", "foo bar"), ("c", None), ("k", "a&b=c")]) == (
        "with%20space=foo%20bar&c&k=a%26b%3Dc"
    )


def test_defaults_are_get_and_text_plain():
    req = build({}, "demo", "web", None)
    assert (req.method, req.path, req.query, req.body) == ("GET", "/2016-08-15/proxy/demo/web/", [], b"")
    assert req.headers == {"Content-Type": "text/plain"}


def test_an_object_body_goes_as_compact_json_for_json_text_and_xml():
    for content_type in ("application/json", "text/plain", "application/xml"):
        req = build(
            {"method": "post", "headers": {"content-type": content_type}, "body": {"k": "ü"}}, "s", "f", None
        )
        assert req.body == '{"k":"ü"}'.encode()
        assert req.headers["Content-Type"] == content_type
        assert req.method == "POST"


def test_a_form_body_goes_urlencoded():
    req = build(
        {
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": {"a": "1 2", "b": ["x", "y"]},
        },
        "s",
        "f",
        None,
    )
    assert req.body == b"a=1%202&b=x&b=y"


def test_a_multipart_body_gets_its_boundary():
    req = build(
        {"headers": {"Content-Type": "multipart/form-data"}, "body": {"field": "value"}}, "s", "f", None
    )
    assert req.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    boundary = req.headers["Content-Type"].split("boundary=")[1]
    assert f"--{boundary}".encode() in req.body
    assert b'name="field"\r\n\r\nvalue' in req.body


def test_string_bodies_go_as_they_are():
    req = build({"headers": {"Content-Type": "application/json"}, "body": '{"raw": 1}'}, "s", "f", None)
    assert req.body == b'{"raw": 1}'


def test_content_length_from_the_description_is_dropped():
    req = build({"headers": {"Content-Length": "999", "X-Custom": "1"}, "body": "ab"}, "s", "f", None)
    assert req.headers == {"X-Custom": "1", "Content-Type": "text/plain"}


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ([], "must be an object"),
        ({"method": "BREW"}, "method must be one of"),
        ({"path": 3}, "path must be a string"),
        ({"headers": ["a"]}, "headers must be an object"),
        ({"headers": {"X": {"nested": 1}}}, "expected a string or number"),
        ({"headers": {"X": "snow ☃"}}, "must be plain text"),
        ({"headers": {"X": "a\r\nInjected: 1"}}, "must be plain text"),
        ({"queries": "a=1"}, "queries must be an object"),
    ],
)
def test_it_rejects_unusable_descriptions(request_, message):
    with pytest.raises(HttpRequestError, match=message):
        build(request_, "s", "f", None)
