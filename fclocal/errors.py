"""FC API errors as fclocal answers them: `{"ErrorCode", "ErrorMessage", "RequestId"}` + status.

Statuses FC does not document are chosen here, once (fc-api.md 11 lists them as unconfirmed).
"""

from __future__ import annotations

# Re-using a stateful async invocation id: FC's status is unconfirmed; 409 Conflict is fclocal's choice.
ALREADY_EXISTS_STATUS = 409
# Stopping a finished task: 412, as callers of the real service report.
ALREADY_COMPLETED_STATUS = 412

SYNC_PAYLOAD_LIMIT = 32 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 128 * 1024


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers: list[tuple[str, str]] = []


def invalid_argument(message: str) -> ApiError:
    return ApiError(400, "InvalidArgument", message)


def service_not_found(service: str) -> ApiError:
    return ApiError(404, "ServiceNotFound", f"service '{service}' does not exist")


def function_not_found(service: str, function: str) -> ApiError:
    return ApiError(404, "FunctionNotFound", f"function '{function}' does not exist in service '{service}'")


def alias_not_found(service: str, alias: str) -> ApiError:
    return ApiError(404, "AliasNotFound", f"alias '{alias}' of service '{service}' does not exist")


def version_not_found(service: str, version: str) -> ApiError:
    return ApiError(404, "VersionNotFound", f"version '{version}' of service '{service}' does not exist")


def trigger_not_found(service: str, function: str, trigger: str) -> ApiError:
    return ApiError(
        404,
        "TriggerNotFound",
        f"trigger '{trigger}' does not exist in service '{service}' and function '{function}'",
    )


def invocation_not_found(invocation_id: str) -> ApiError:
    return ApiError(
        404, "StatefulAsyncInvocationNotFound", f"stateful async invocation '{invocation_id}' does not exist"
    )


def invocation_exists(invocation_id: str) -> ApiError:
    return ApiError(
        ALREADY_EXISTS_STATUS,
        "StatefulAsyncInvocationAlreadyExists",
        f"stateful async invocation '{invocation_id}' already exists",
    )


def invocation_completed(invocation_id: str, status: str) -> ApiError:
    return ApiError(
        ALREADY_COMPLETED_STATUS,
        "StatefulAsyncInvocationAlreadyCompleted",
        f"stateful async invocation '{invocation_id}' has already completed with status {status}",
    )


def entity_too_large(limit: int) -> ApiError:
    return ApiError(400, "EntityTooLarge", f"payload size exceeds maximum allowed size ({limit} bytes)")


def throttled(service: str, function: str) -> ApiError:
    return ApiError(
        429,
        "ResourceExhausted",
        f"function '{function}' of service '{service}' has reached its instance limit; try again later",
    )


def path_not_supported(method: str, path: str) -> ApiError:
    return ApiError(400, "PathNotSupported", f"'{method}' against '{path}' is not supported")
