"""Secrets of the configuration kept off every page and line the console prints.

Django hides settings whose *name* says KEY, PASS, TOKEN...; it shows `DATABASE_URL`, the broker
URL, `CACHES` and the result backend whole, passwords in them included. The filter below also
masks `user:password@` inside any URL, and any configured secret wherever it appears (a frame's
locals, an exception's message); `mask_url_credentials` serves the start-up line too, and
`error_line` the one line a log or /healthz gives a failure.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import escape
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

MASK = "********"
# scheme://user:password@ — the password is whatever runs to the '@' (percent-encoding keeps
# '@' and '/' out of a well-formed one).
_URL_CREDENTIALS = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:@/\s]*):(?P<password>[^@/\s]+)@")
_URL_SETTINGS = ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL")
# Shorter values are too likely to be ordinary words to scrub from a whole page.
_MIN_SECRET_LENGTH = 4


def mask_url_credentials(text: str) -> str:
    """`redis://:pw@host/0` -> `redis://:********@host/0`, anywhere in `text`."""
    return _URL_CREDENTIALS.sub(lambda m: f"{m['head']}:{MASK}@", text)


def configured_secrets() -> set[str]:
    """The secret values this process was configured with: passwords of its URLs and databases,
    the secret key, the credential encryption keys."""
    found = {getattr(settings, "SECRET_KEY", "")}
    found.update(getattr(settings, "FCCONSOLE_ENCRYPTION_KEYS", None) or [])
    found.add(getattr(settings, "EMAIL_HOST_PASSWORD", "") or "")
    urls = [str(getattr(settings, name, "") or "") for name in _URL_SETTINGS]
    urls += [str(c.get("LOCATION") or "") for c in getattr(settings, "CACHES", {}).values()]
    for url in urls:
        for match in _URL_CREDENTIALS.finditer(url):
            found.add(match["password"])
        try:
            found.add(urlsplit(url).password or "")
        except ValueError:
            pass
    for database in getattr(settings, "DATABASES", {}).values():
        found.add(str(database.get("PASSWORD") or ""))
    return {s for s in found if isinstance(s, str) and len(s) >= _MIN_SECRET_LENGTH}


def scrub(text: str, secrets: set[str] | None = None) -> str:
    """`text` with URL credentials and every configured secret masked."""
    text = mask_url_credentials(text)
    for secret in sorted(secrets if secrets is not None else configured_secrets(), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def error_line(error: BaseException) -> str:
    """What a log line or a status answer says of a failure: the error's type and the first line
    of its message, with URL credentials and configured secrets masked (a driver's message may
    quote the URL it was given)."""
    return scrub(f"{type(error).__name__}: {error}".splitlines()[0])


class ConsoleExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus credentials inside values: settings, request META, frame locals."""

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        # Exactly str: lazy objects pass isinstance but are left to the reporter's last scrub.
        return scrub(cleansed) if type(cleansed) is str else cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self._cleanse_local(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def _cleanse_local(self, value):
        # Strings and containers of them (a settings_dict, a connection's params); other objects
        # are shown by their repr, which the reporter scrubs on the way out.
        if type(value) in (str, dict, list, tuple):
            return self.cleanse_setting("", value)
        return value


class ConsoleExceptionReporter(ExceptionReporter):
    """The last guard: no configured secret leaves in the rendered page or text, however it got in
    (an object's repr, an exception message naming a URL)."""

    def get_traceback_html(self):
        secrets = configured_secrets()
        html = super().get_traceback_html()
        return scrub(scrub(html, secrets), {escape(s) for s in secrets})

    def get_traceback_text(self):
        return scrub(super().get_traceback_text())
