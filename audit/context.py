"""The request being served, for audit entries written far from the view (model signals, managers).

A contextvar, not a thread-local: correct under threads (the Celery threads pool), gevent and ASGI.
Outside a request (Celery tasks, management commands) there is none, and entries name no IP.
"""

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("audit_current_request", default=None)


def current_request():
    return _current_request.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
