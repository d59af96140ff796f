"""Requests the console answers itself, around the views.

- Control characters in the address, refused before any view runs. PostgreSQL cannot hold a NUL
  character, and no name, id or filter of the console contains a control character: such a
  request is answered 400 with a plain message (JSON under /api/), never handed to a view that
  would take it to the database. Form and API fields refuse NUL themselves (Django's and DRF's
  CharField), names are judged whole by invocations.rules.
- A page whose view found the database away (fcconsole/outages.py): 503 and a page that says so,
  instead of the generic 500. The API answers its own JSON 503 (invocations/api/errors.py).
"""

import logging
import re

from django.http import HttpResponse
from django.template.loader import render_to_string

from fcconsole.outages import DATABASE_AWAY, RETRY_AFTER
from fcconsole.redaction import error_line
from invocations.views.errors import bad_request

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RefuseControlCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _CONTROL.search(request.path_info):
            return bad_request(
                request,
                message="The address holds a control character (such as %00 or a line break); "
                "no page of the console has one in its address.",
            )
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return bad_request(
                request,
                message="The query holds a NUL character (%00); the console stores no text with one.",
            )
        return self.get_response(request)


class DatabaseAwayPage:
    """503 with templates/503.html for a view that met the database away. Rendered without the
    request, so that no context processor goes to the database again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_AWAY):
            return None
        log.warning("%s %s: database unreachable (%s)", request.method, request.path, error_line(exception))
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
