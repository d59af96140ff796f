"""Requests the console refuses before any view runs: control characters in the address.

PostgreSQL cannot hold a NUL character, and no name, id or filter of the console contains a
control character: such a request is answered 400 with a plain message (JSON under /api/), never
handed to a view that would take it to the database. Form and API fields refuse NUL themselves
(Django's and DRF's CharField), names are judged whole by invocations.rules.

The database away is answered by the 500 handler (invocations/views/errors.server_error), wherever
it is met: in a view or in a middleware after it.
"""

import re

from invocations.views.errors import bad_request

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
