"""Requests the console answers itself, around the views.

- Control characters in the address, refused before any view runs. PostgreSQL cannot hold a NUL
  character, and no name, id or filter of the console contains a control character: such a
  request is answered 400 with a plain message (JSON under /api/), never handed to a view that
  would take it to the database. Form and API fields refuse NUL themselves (Django's and DRF's
  CharField), names are judged whole by invocations.rules.
- A view that met the database away (fcconsole/outages.py): 503 with a page that says so, or
  its JSON under /api/ (invocations/api/errors.py lets it through), instead of the generic 500.
"""

import re

from fcconsole.outages import DATABASE_AWAY
from invocations.views.errors import bad_request, database_away

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


class DatabaseAway:
    """A view that met the database away: `views.errors.database_away` answers it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_away(request, exception) if isinstance(exception, DATABASE_AWAY) else None
