"""FC API errors as fclocal answers them: a status, a code and a message. Each API renders them
in its own body: FC 2.0 `{"ErrorCode", "ErrorMessage"}`, FC 3.0 `{"Code", "Message", "RequestId"}`.

Statuses and codes FC does not document are chosen here, once (fc-api.md 11 and fc3-api.md 11
list them as unconfirmed).
"""

from __future__ import annotations

# Re-using a stateful async invocation id (2.0) or an async task id (3.0): FC's status is
# unconfirmed; 409 Conflict is fclocal's choice, for both APIs.
ALREADY_EXISTS_STATUS = 409
# unconfirmed (fc3-api.md 4, 6.2): the 3.0 code for a duplicate x-fc-async-task-id; chose
# AsyncTaskAlreadyExists because it follows 2.0's StatefulAsyncInvocationAlreadyExists and the
# 3.0 naming of AsyncTaskNotFound.
ASYNC_TASK_EXISTS_CODE = "AsyncTaskAlreadyExists"
# unconfirmed (fc3-api.md 5.4, 6.2): the 3.0 code for an unknown task id; chose AsyncTaskNotFound,
# the code third-party clients of the real service handle.
ASYNC_TASK_NOT_FOUND_CODE = "AsyncTaskNotFound"
# Stopping a finished task: 412, as callers of the real 2.0 service report. unconfirmed
# (fc3-api.md 5.4) for 3.0: chose the same 412 with AsyncTaskAlreadyCompleted, because a refusal
# tells the caller the task ended on its own, and 2.0 callers already handle that status.
ALREADY_COMPLETED_STATUS = 412
ASYNC_TASK_COMPLETED_CODE = "AsyncTaskAlreadyCompleted"

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
    where = f" in service '{service}'" if service else ""
    return ApiError(404, "FunctionNotFound", f"function '{function}' does not exist{where}")


def alias_not_found(owner: str, alias: str) -> ApiError:
    """`owner`: `service 'demo'` (2.0) or `function 'hello'` (3.0)."""
    return ApiError(404, "AliasNotFound", f"alias '{alias}' of {owner} does not exist")


def version_not_found(owner: str, version: str) -> ApiError:
    return ApiError(404, "VersionNotFound", f"version '{version}' of {owner} does not exist")


def trigger_not_found(function: str, trigger: str) -> ApiError:
    """`function`: as `Function.describe()` words it."""
    return ApiError(404, "TriggerNotFound", f"trigger '{trigger}' of {function} does not exist")


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


def task_not_found(task_id: str) -> ApiError:
    return ApiError(404, ASYNC_TASK_NOT_FOUND_CODE, f"async task '{task_id}' does not exist")


def task_exists(task_id: str) -> ApiError:
    return ApiError(ALREADY_EXISTS_STATUS, ASYNC_TASK_EXISTS_CODE, f"async task '{task_id}' already exists")


def task_completed(task_id: str, status: str) -> ApiError:
    return ApiError(
        ALREADY_COMPLETED_STATUS,
        ASYNC_TASK_COMPLETED_CODE,
        f"async task '{task_id}' has already completed with status {status}",
    )


def entity_too_large(limit: int) -> ApiError:
    return ApiError(400, "EntityTooLarge", f"payload size exceeds maximum allowed size ({limit} bytes)")


def throttled(function: str) -> ApiError:
    """`function`: as `Function.describe()` words it."""
    return ApiError(429, "ResourceExhausted", f"{function} has reached its instance limit; try again later")


def path_not_supported(method: str, path: str) -> ApiError:
    return ApiError(400, "PathNotSupported", f"'{method}' against '{path}' is not supported")
