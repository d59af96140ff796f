"""Hardened defaults: sign-in throttling, CSP without inline code, CSRF on every form, expiring sessions."""

import json
import re

import pytest
from django.conf import settings

from audit.models import AuditEntry
from tests.conftest import ROOT
from tests.fixtures.django_process import run_django
from tests.fixtures.personas import PASSWORD
from tests.test_foundation import PRODUCTION_ENV


def sign_in(client, password, ip="192.0.2.20", username="ivan-invoker"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_sign_in_is_refused_after_the_failure_limit_even_with_the_right_password(client, invoker):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert sign_in(client, "wrong-password").status_code == 200
    locked = sign_in(client, "wrong-password")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert sign_in(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.sign_in_failed").count() == limit + 1
    assert AuditEntry.objects.filter(action="auth.locked_out").exists()


@pytest.mark.django_db
def test_the_lockout_holds_one_username_from_one_address_only(client, invoker, viewer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong-password")
    assert sign_in(client, PASSWORD, ip="198.51.100.1").status_code == 302, "the user elsewhere"
    client.logout()
    assert sign_in(client, PASSWORD, username="vera-viewer").status_code == 302, (
        "a colleague on the same address"
    )


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_failure_count(client, invoker):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong-password")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong-password")
    assert sign_in(client, PASSWORD).status_code == 302


def test_production_sends_csp_hsts_and_secure_cookies():
    # A separate process in production mode: the policy is what a real deployment sends.
    script = (
        "import json; from django.conf import settings; from django.test import Client;"
        "r = Client().get('/no-such-page', secure=True, HTTP_HOST='console.example.com');"
        "print(json.dumps({'headers': dict(r.headers), 'cookies': [settings.SESSION_COOKIE_SECURE,"
        " settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY]}))"
    )
    result = run_django(script, base={"PATH": "/usr/bin:/bin", **PRODUCTION_ENV})
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    csp = out["headers"]["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "Content-Security-Policy-Report-Only" not in out["headers"]
    assert out["headers"]["Strict-Transport-Security"].startswith("max-age=31536000")
    assert out["cookies"] == [True, True, True]


@pytest.mark.django_db
def test_development_reports_csp_violations_without_enforcing(client):
    response = client.get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy-Report-Only"]
    assert "Content-Security-Policy" not in response


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_its_indicator_style(client):
    html = client.get("/login/").content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in html
    assert ".htmx-request .htmx-indicator" in (ROOT / "static/css/console.css").read_text()


def _templates():
    return sorted(p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts)


def test_no_template_has_inline_script_style_or_event_handler():
    offenders = []
    for path in _templates():
        html = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style[\s>]",
            r"<[^>]*\sstyle=",
            r"<[^>]*\son[a-z]+\s*=",
        ):
            if re.search(pattern, html, re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not offenders, "the CSP blocks inline code: " + ", ".join(offenders)


def test_every_post_form_carries_a_csrf_token():
    offenders = []
    for path in _templates():
        for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", path.read_text(), re.I | re.S):
            if "{% csrf_token %}" not in form:
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


@pytest.mark.django_db
def test_the_session_cookie_expires(client, invoker):
    response = sign_in(client, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert cookie["httponly"]
