"""JSON shapes of the browsing calls (fc-api.md 5.2) and their pagination (5.1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from fclocal import errors
from fclocal.checksum import code_files, code_size
from fclocal.config import Function, Service, Trigger

MAX_LIMIT = 100
_NAMESPACE = uuid.UUID("6f0c1c8e-4d3a-4f7e-9d1e-fc10ca1fc10c")


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _code_time(code_dir: Path) -> float:
    return max((p.stat().st_mtime for p in code_files(code_dir)), default=code_dir.stat().st_mtime)


def parse_limit(query: dict[str, str], default: int = MAX_LIMIT, high: int = MAX_LIMIT) -> int:
    raw = query.get("limit")
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise errors.invalid_argument(f"limit must be an integer between 1 and {high}, got '{raw}'")
    return int(raw)


def paginate(items: list[dict], key: str, plural: str, query: dict[str, str]) -> dict:
    """`prefix`, `startKey`, `nextToken` (the name of the first item of the next page), `limit`."""
    items = sorted(items, key=lambda item: item[key])
    prefix, start = query.get("prefix"), query.get("nextToken") or query.get("startKey")
    if prefix:
        items = [i for i in items if i[key].startswith(prefix)]
    if start:
        items = [i for i in items if i[key] >= start]
    limit = parse_limit(query)
    page = {plural: items[:limit]}
    if len(items) > limit:
        page["nextToken"] = items[limit][key]
    return page


def service_json(service: Service, modified: float) -> dict:
    log = service.log_config
    return {
        "serviceName": service.name,
        "serviceId": _id(service.name),
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
        "functionId": _id(function.service, function.name),
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
        "lastModifiedTime": iso(_code_time(function.code_dir)),
    }


def trigger_json(function: Function, trigger: Trigger, created: float) -> dict:
    return {
        "triggerName": trigger.name,
        "triggerId": _id(function.service, function.name, trigger.name),
        "triggerType": trigger.type,
        "triggerConfig": trigger.config,
        "sourceArn": trigger.config.get("sourceArn", "") if trigger.type not in ("http", "https") else "",
        "invocationRole": trigger.config.get("invocationRole", ""),
        "qualifier": trigger.qualifier,
        "description": trigger.description,
        "createdTime": iso(created),
        "lastModifiedTime": iso(created),
        # Empty on purpose: clients such as `s invoke` then use the signed /proxy/ path (fc-api.md 10.3).
        "urlInternet": "",
        "urlIntranet": "",
    }


def version_json(service: Service, version_id: str, created: float) -> dict:
    version = service.versions[version_id]
    return {
        "versionId": version.id,
        "description": version.description,
        "createdTime": iso(created),
        "lastModifiedTime": iso(created),
    }


def alias_json(service: Service, name: str, created: float) -> dict:
    alias = service.aliases[name]
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


def versions_page(service: Service, query: dict[str, str], created: float) -> dict:
    """ListServiceVersions: by version number, BACKWARD (newest first) unless direction=FORWARD."""
    direction = query.get("direction") or "BACKWARD"
    if direction not in ("FORWARD", "BACKWARD"):
        raise errors.invalid_argument(f"direction must be FORWARD or BACKWARD, got '{direction}'")
    ids = sorted(service.versions, key=int, reverse=direction == "BACKWARD")
    start = query.get("nextToken") or query.get("startKey")
    if start:
        if not start.isdigit():
            raise errors.invalid_argument(f"invalid nextToken '{start}'")
        ids = [i for i in ids if (int(i) <= int(start) if direction == "BACKWARD" else int(i) >= int(start))]
    limit = parse_limit(query)
    page = {"versions": [version_json(service, i, created) for i in ids[:limit]], "direction": direction}
    if len(ids) > limit:
        page["nextToken"] = ids[limit]
    return page
