"""The 400 page: a request the console cannot read, most often a body over its size limit, or
one with a control character in its address (invocations.middleware).

Django answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE with a bare "Bad Request"; here it gets
413 and the limits in plain words, as JSON under /api/ (like every API error) and as a page
elsewhere. Standalone like 403/404/500.html: it renders without the console's context.

The 503 page: a view that met the database away (fcconsole/outages.py), answered by
invocations.middleware for pages and API alike, instead of the generic 500 and Django's HTML page
for API clients. Rendered without the request, so that no context processor goes to the
database again; the error itself (host, port) goes to the log only.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from fcconsole.outages import RETRY_AFTER
from fcconsole.redaction import error_line
from invocations import rules

log = logging.getLogger(__name__)

DATABASE_AWAY_MESSAGE = (
    "The console's database cannot be reached right now. Try again shortly; /healthz names the part "
    "that is down. A request that writes (an invocation, say) may have been recorded before the "
    "database went away: look in the history before sending it again."
)


def bad_request(request, exception=None, message=None):
    if isinstance(exception, RequestDataTooBig):
        status, code, message = 413, "payload_too_large", rules.too_big_message()
    else:
        status, code = 400, "bad_request"
        message = message or "The console could not read this request."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, "400.html", {"message": message, "status": status}, status=status)


def database_away(request, exception):
    log.warning("%s %s: database unreachable (%s)", request.method, request.path, error_line(exception))
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "database_unavailable", "message": DATABASE_AWAY_MESSAGE}, status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html", {"message": DATABASE_AWAY_MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
