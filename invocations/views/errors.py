"""The 400 page: a request the console cannot read, most often a body over its size limit, or
one with a control character in its address (invocations.middleware).

Django answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE with a bare "Bad Request"; here it gets
413 and the limits in plain words, as JSON under /api/ (like every API error) and as a page
elsewhere. Standalone like 403/404/500.html: it renders without the console's context.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render

from invocations import rules


def bad_request(request, exception=None, message=None):
    if isinstance(exception, RequestDataTooBig):
        status, code, message = 413, "payload_too_large", rules.too_big_message()
    else:
        status, code = 400, "bad_request"
        message = message or "The console could not read this request."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, "400.html", {"message": message, "status": status}, status=status)
