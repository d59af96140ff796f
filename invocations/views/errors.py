"""The 400 page: a request the console cannot read, most often a body over its size limit, or
one with a control character in its address (invocations.middleware).

Django answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE with a bare "Bad Request"; here it gets
413 and the limits in plain words, as JSON under /api/ (like every API error) and as a page
elsewhere. Standalone like 403/404/500.html: it renders without the console's context.

The 500 handler (fcconsole/urls.py, handler500): whatever no view answered, for pages and API
alike. The database away (fcconsole/outages.py), met in a view or in a middleware after it
(saving the session), is a 503 that says so, with Retry-After: JSON under /api/, a page elsewhere,
rendered without the request so that no context processor goes to the database again. Under /api/
any other failure is JSON `{code, message}` as every API answer is, never Django's HTML page;
elsewhere the standalone 500 page. The messages are fixed: the error goes to the log only (one
line for the database away: fcconsole/logfilters.py drops Django's traceback of a 503).
"""

import logging
import sys

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults

from fcconsole.outages import DATABASE_AWAY, RETRY_AFTER
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
    if _for_the_api(request):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, "400.html", {"message": message, "status": status}, status=status)


def database_away(request, exception):
    log.warning("%s %s: database unreachable (%s)", request.method, request.path, error_line(exception))
    if _for_the_api(request):
        response = JsonResponse(
            {"code": "database_unavailable", "message": DATABASE_AWAY_MESSAGE}, status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html", {"message": DATABASE_AWAY_MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


SERVER_ERROR_MESSAGE = (
    "The console could not finish this request; the error is in its log. An invocation is written "
    "before it is sent: look in the history before sending it again."
)


def server_error(request):
    # Django calls the 500 handler inside its `except`: the exception being handled is at hand.
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_AWAY):
        return database_away(request, exception)
    if _for_the_api(request):
        return JsonResponse({"code": "server_error", "message": SERVER_ERROR_MESSAGE}, status=500)
    return defaults.server_error(request)


def _for_the_api(request) -> bool:
    """Whether the answer is the API's JSON `{code, message}` rather than a page."""
    return request.path.startswith("/api/")
