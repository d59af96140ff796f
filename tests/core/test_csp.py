"""fcconsole.csp: the headers built once are the headers django-csp builds for each response."""

import pytest
from csp.constants import NONCE, SELF
from csp.middleware import CSPMiddleware as LibraryMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from fcconsole.csp import CSPMiddleware

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}
HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def _headers(middleware_class, path="/", *, prepare=None, status=200, nonce=False):
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda request: None)
    middleware.process_request(request)
    if nonce:
        str(request.csp_nonce)
    response = HttpResponse(status=status)
    if prepare:
        prepare(response)
    response = middleware.process_response(request, response)
    return {name: response.get(name) for name in HEADERS}, request


def _same(**kwargs):
    ours, _ = _headers(CSPMiddleware, **kwargs)
    theirs, _ = _headers(LibraryMiddleware, **kwargs)
    assert ours == theirs
    return ours


def test_a_plain_response_gets_the_libraries_report_only_header_outside_production():
    headers = _same()
    assert "default-src 'self'" in headers["Content-Security-Policy-Report-Only"]
    assert headers["Content-Security-Policy"] is None


@override_settings(CONTENT_SECURITY_POLICY=POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY=None)
def test_an_enforced_policy_and_a_changed_setting_are_followed():
    headers = _same()
    # The library orders directives as a set does: compare them as one.
    assert set(headers["Content-Security-Policy"].split("; ")) == {
        "default-src 'self'",
        "img-src 'self' data:",
    }
    assert headers["Content-Security-Policy-Report-Only"] is None
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert _same()["Content-Security-Policy"] == "default-src 'none'"


@override_settings(CONTENT_SECURITY_POLICY={**POLICY, "EXCLUDE_URL_PREFIXES": ["/excluded"]})
def test_excluded_paths_get_no_header():
    assert _same(path="/excluded/page")["Content-Security-Policy"] is None
    assert _same(path="/included")["Content-Security-Policy"] is not None


@pytest.mark.parametrize(
    "prepare",
    [
        lambda response: setattr(response, "_csp_update", {"img-src": ["https://img.example"]}),
        lambda response: setattr(response, "_csp_replace_ro", {"img-src": None}),
        lambda response: setattr(response, "_csp_exempt_ro", True),
        lambda response: response.__setitem__("Content-Security-Policy-Report-Only", "set by the view"),
    ],
    ids=["update", "replace", "exempt", "already set"],
)
def test_per_response_changes_are_the_librarys(prepare):
    _same(prepare=prepare)


@override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"script-src": [SELF, NONCE]}})
def test_a_nonce_asked_for_is_in_the_header_and_asking_after_is_an_error():
    headers, request = _headers(CSPMiddleware, nonce=True)
    assert f"'nonce-{request._csp_nonce}'" in headers["Content-Security-Policy-Report-Only"]
    _, request = _headers(CSPMiddleware)
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)


@override_settings(DEBUG=True)
def test_debug_error_pages_get_no_header():
    assert _same(status=404) == dict.fromkeys(HEADERS)
