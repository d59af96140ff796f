"""fclocal's application: the shared core (`core.Core`) answering FC 2.0 (`api2`) and FC 3.0
(`api3`) on one port, each API chosen by the path's version prefix."""

from __future__ import annotations

from fclocal import api2, api3, errors
from fclocal.core import Core, Options
from fclocal.wire import Request, Response

__all__ = ["App", "Options", "Request", "Response"]


class App(Core):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.apis = {api2.PREFIX: api2.Api2(self), api3.PREFIX: api3.Api3(self)}

    def dispatch(self, request: Request) -> Response:
        api = self.apis.get(_prefix(request.raw_path))
        if api is None:
            raise errors.path_not_supported(request.method, request.raw_path)
        return api.dispatch(request)

    @staticmethod
    def error_response(request: Request, exc: errors.ApiError) -> Response:
        """The error body of the API the request addressed (2.0's for any other path)."""
        render = api3.error_response if _prefix(request.raw_path) == api3.PREFIX else api2.error_response
        return render(exc, request.request_id)


def _prefix(raw_path: str) -> str:
    return "/" + raw_path.lstrip("/").split("/", 1)[0]
