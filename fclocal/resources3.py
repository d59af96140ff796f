"""FC 3.0 JSON shapes (fc3-api.md 2, 5.2): functions, triggers and async tasks. Versions and
aliases have the same keys as 2.0's (`resources.version_json`, `resources.alias_json`)."""

from __future__ import annotations

import json

from fclocal.checksum import code_size
from fclocal.model import Function, Trigger
from fclocal.resources import code_time, iso, resource_id
from fclocal.store import AsyncRecord, payload_text


def function_arn(function: Function, account_id: str) -> str:
    """`acs:fc:{region}:{account}:functions/{name}` (fc3-api.md 5.2's example)."""
    return f"acs:fc:{function.region}:{account_id}:functions/{function.fc3_name}"


def function_json(function: Function, checksum: str, account_id: str, created: float) -> dict:
    return {
        "functionName": function.fc3_name,
        "functionId": resource_id(function.service, function.name),
        "functionArn": function_arn(function, account_id),
        "description": function.description,
        "runtime": function.runtime,
        "handler": function.handler,
        "timeout": function.timeout,
        "memorySize": function.memory_size,
        "cpu": round(max(0.05, function.memory_size / 1024), 2),
        "diskSize": 512,
        "instanceConcurrency": function.instance_concurrency,
        "codeSize": code_size(function.code_dir),
        "codeChecksum": checksum,
        "environmentVariables": dict(function.environment),
        "role": function.role,
        "internetAccess": function.internet_access,
        "instanceLifecycleConfig": {
            "initializer": {"handler": function.initializer, "timeout": function.initialization_timeout},
            "preStop": {"handler": "", "timeout": 3},
        },
        "layers": [],
        "state": "Active",
        "stateReason": "",
        "lastUpdateStatus": "Successful",
        "createdTime": iso(created),
        "lastModifiedTime": iso(code_time(function.code_dir)),
    }


def trigger_json(function: Function, trigger: Trigger, account_id: str, url: str, created: float) -> dict:
    """`url`: where fclocal serves an HTTP trigger (fclocal's own path; FC gives an fcapp.run domain)."""
    data = {
        "triggerName": trigger.name,
        "triggerId": resource_id(function.service, function.name, trigger.name),
        "triggerType": trigger.type,
        "triggerConfig": json.dumps(trigger.config),  # a string in 3.0
        "qualifier": trigger.qualifier,
        "sourceArn": trigger.source_arn,
        "targetArn": function_arn(function, account_id),
        "invocationRole": trigger.invocation_role,
        "status": "Ready",
        "description": trigger.description,
        "createdTime": iso(created),
        "lastModifiedTime": iso(created),
    }
    if trigger.is_http:
        data["httpTrigger"] = {"urlInternet": url, "urlIntranet": url}
    return data


def task_json(record: AsyncRecord, arn: str, include_payload: bool) -> dict:
    """An async task (fc3-api.md 5.2)."""
    data = {
        "taskId": record.invocation_id,
        "status": record.status,
        "startedTime": record.started_time,
        "endTime": record.end_time,
        "durationMs": record.duration_ms,
        "functionArn": arn,
        "qualifier": record.qualifier,
        "requestId": record.request_id,
        "instanceId": record.instance_id,
        "returnPayload": payload_text(record.return_payload) if record.return_payload is not None else None,
        "taskErrorMessage": record.error_message,
        "destinationStatus": record.destination_status,
        "alreadyRetriedTimes": record.retried,
        "events": record.events,
    }
    if include_payload:
        data["taskPayload"] = payload_text(record.payload)
    return {k: v for k, v in data.items() if v is not None}
