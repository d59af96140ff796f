"""With DEBUG on, the 500 page shows settings, request META and frame locals: never a password."""

import pytest
from django.core.management import call_command
from django.test import Client

from fcconsole.setup_report import describe

pytestmark = pytest.mark.django_db

DB_PASSWORD = "db-pass-0x5ecret"
BROKER_PASSWORD = "broker-pass-0x5ecret"
CACHE_PASSWORD = "cache-pass-0x5ecret"
RESULT_PASSWORD = "result-pass-0x5ecret"
SECRETS = (DB_PASSWORD, BROKER_PASSWORD, CACHE_PASSWORD, RESULT_PASSWORD)


@pytest.fixture
def passworded(settings):
    """Settings whose URLs carry passwords, as a team server's do (none is connected to here)."""
    settings.DEBUG = True
    settings.ROOT_URLCONF = "tests.ui.boom_urls"
    settings.DATABASE_URL = f"postgres://fc:{DB_PASSWORD}@db.internal:5432/fcconsole"
    settings.CELERY_BROKER_URL = f"redis://:{BROKER_PASSWORD}@redis.internal:6379/0"
    settings.CELERY_RESULT_BACKEND = f"redis://default:{RESULT_PASSWORD}@redis.internal:6379/1"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.dummy.DummyCache",
            "LOCATION": f"redis://:{CACHE_PASSWORD}@redis.internal:6379/0",
        }
    }
    return settings


def test_the_debug_500_page_shows_no_password(passworded, viewer):
    client = Client(raise_request_exception=False, HTTP_DB_URL=passworded.DATABASE_URL)
    client.force_login(viewer)

    html = client.get("/boom/").content.decode()
    text = client.get("/boom/", HTTP_ACCEPT="text/plain").content.decode()

    assert "RuntimeError" in html and "CELERY_BROKER_URL" in html and "connection_params" in html
    assert "redis://:********@redis.internal:6379/0" in html  # still says where, not with what
    for page in (html, text):
        for secret in SECRETS:
            assert secret not in page


@pytest.mark.parametrize("kind", ["configured", "redis", "filesystem"])
def test_the_setup_report_masks_the_redis_password(passworded, capsys, kind):
    passworded.BROKER_KIND = kind
    passworded.REDIS_URL = passworded.CELERY_BROKER_URL
    assert BROKER_PASSWORD not in describe()
    call_command("setup_report")
    assert "redis://:********@redis.internal:6379/0" in capsys.readouterr().out


def test_the_line_a_log_or_healthz_gives_a_failure_masks_passwords(passworded):
    """`error_line`: what the heartbeat's log, the worker's outage lines and /healthz say of an
    error. A driver's message may quote the URL it was given."""
    from fcconsole.redaction import error_line

    error = ConnectionError(f"cannot reach {passworded.CELERY_BROKER_URL}\nsecond line {DB_PASSWORD}")
    line = error_line(error)
    assert line == "ConnectionError: cannot reach redis://:********@redis.internal:6379/0"
    # A configured secret alone, outside any URL:
    assert error_line(ValueError(f"bad {DB_PASSWORD} here")) == "ValueError: bad ******** here"
