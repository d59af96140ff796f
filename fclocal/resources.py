"""FC 2.0 JSON shapes: the browsing calls (fc-api.md 5.2) and stateful async invocations (4.2)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from fclocal import paging
from fclocal.checksum import code_files, code_size
from fclocal.model import Alias, Function, Service, Trigger, Version
from fclocal.store import AsyncRecord, payload_text

_NAMESPACE = uuid.UUID("6f0c1c8e-4d3a-4f7e-9d1e-fc10ca1fc10c")


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resource_id(*parts: str) -> str:
    """A stable UUID for a named resource (function, trigger...)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def code_time(code_dir: Path) -> float:
    """When the code last changed: the function's lastModifiedTime."""
    return max((p.stat().st_mtime for p in code_files(code_dir)), default=code_dir.stat().st_mtime)


def service_json(service: Service, modified: float) -> dict:
    log = service.log_config
    return {
        "serviceName": service.name,
        "serviceId": resource_id(service.name),
        "description": service.description,
        "role": service.role,
        "logConfig": {
            "project": log.get("project", "") if isinstance(log, dict) else "",
            "logstore": log.get("logstore", "") if isinstance(log, dict) else "",
            "enableRequestMetrics": False,
            "enableInstanceMetrics": False,
            "logBeginRule": "None",
        },
        "vpcConfig": {"vpcId": "", "vSwitchIds": [], "securityGroupId": ""},
        "internetAccess": service.internet_access,
        "nasConfig": {"userId": -1, "groupId": -1, "mountPoints": []},
        "tracingConfig": {},
        "ossMountConfig": {"mountPoints": []},
        "useSLRAuthentication": False,
        "createdTime": iso(modified),
        "lastModifiedTime": iso(modified),
    }


def function_json(function: Function, checksum: str, created: float) -> dict:
    return {
        "functionName": function.name,
        "functionId": resource_id(function.service, function.name),
        "description": function.description,
        "runtime": function.runtime,
        "handler": function.handler,
        "initializer": function.initializer,
        "initializationTimeout": function.initialization_timeout,
        "timeout": function.timeout,
        "memorySize": function.memory_size,
        "instanceConcurrency": function.instance_concurrency,
        "instanceType": "e1",
        "codeSize": code_size(function.code_dir),
        "codeChecksum": checksum,
        "environmentVariables": dict(function.environment),
        "layers": [],
        "caPort": 9000,
        "customDNS": None,
        "customRuntimeConfig": None,
        "customContainerConfig": None,
        "customHealthCheckConfig": None,
        "instanceLifecycleConfig": {
            "preFreeze": {"handler": "", "timeout": 3},
            "preStop": {"handler": "", "timeout": 3},
        },
        "diskSize": 512,
        "createdTime": iso(created),
        "lastModifiedTime": iso(code_time(function.code_dir)),
    }


def trigger_json(function: Function, trigger: Trigger, created: float) -> dict:
    return {
        "triggerName": trigger.name,
        "triggerId": resource_id(function.service, function.name, trigger.name),
        "triggerType": trigger.type,
        "triggerConfig": trigger.config,
        "sourceArn": trigger.source_arn,
        "invocationRole": trigger.invocation_role,
        "qualifier": trigger.qualifier,
        "description": trigger.description,
        "createdTime": iso(created),
        "lastModifiedTime": iso(created),
        # Empty on purpose: clients such as `s invoke` then use the signed /proxy/ path (fc-api.md 10.3).
        "urlInternet": "",
        "urlIntranet": "",
    }


def version_json(version: Version, created: float) -> dict:
    """A version, of a 2.0 service or a 3.0 function (the same keys)."""
    return {
        "versionId": version.id,
        "description": version.description,
        "createdTime": iso(created),
        "lastModifiedTime": iso(created),
    }


def alias_json(alias: Alias, created: float) -> dict:
    """An alias, of a 2.0 service or a 3.0 function (3.0 reads a subset of these keys)."""
    return {
        "aliasName": alias.name,
        "versionId": alias.version_id,
        "description": alias.description,
        "additionalVersionWeight": {},
        "resolvePolicy": "Random",
        "routePolicy": {},
        "createdTime": iso(created),
        "lastModifiedTime": iso(created),
    }


def versions_page(versions: dict[str, Version], query: dict[str, str], created: float) -> dict:
    """ListServiceVersions / ListFunctionVersions: by number, BACKWARD unless direction=FORWARD."""
    ids, direction, next_token = paging.versions_page(list(versions), query)
    page = {"versions": [version_json(versions[i], created) for i in ids], "direction": direction}
    if next_token is not None:
        page["nextToken"] = next_token
    return page


def invocation_json(record: AsyncRecord, include_payload: bool) -> dict:
    """A stateful async invocation (fc-api.md 4.2)."""
    data = {
        "serviceName": record.service,
        "functionName": record.function,
        "qualifier": record.qualifier,
        "invocationId": record.invocation_id,
        "status": record.status,
        "startedTime": record.started_time,
        "endTime": record.end_time,
        "destinationStatus": record.destination_status,
        "invocationErrorMessage": record.error_message,
        "alreadyRetriedTimes": record.retried,
        "requestId": record.request_id,
        "instanceId": record.instance_id,
        "durationMs": record.duration_ms,
        "returnPayload": payload_text(record.return_payload) if record.return_payload is not None else None,
        "events": record.events,
    }
    if include_payload:
        data["invocationPayload"] = payload_text(record.payload)
    return {k: v for k, v in data.items() if v is not None}
