"""Serverless Devs 2.x project files: `services:` entries with component `fc`.

Each entry describes one function (Serverless Devs repeats the service props per function).
Entries naming the same service are merged into one `Service`. fclocal's extension: versions and
aliases of a service, under `props.service`:

    props:
      service:
        name: demo
        versions: [{id: "1", description: first release}]
        aliases: [{name: prod, versionId: "1", description: production}]
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fclocal import reader
from fclocal.model import AsyncConfig, Function, Service, Trigger
from fclocal.reader import Reader


def load_services(top: Reader, services: dict[str, Service]) -> None:
    """Add the functions of a 2.x file to `services` (shared by every 2.x file served)."""
    entries = top.raw("services", required=True)
    if not isinstance(entries, dict) or not entries:
        top.fail("services", "must be a non-empty mapping of project entries")
    for entry_name, entry in entries.items():
        _load_entry(top.child(f"services.{entry_name}", entry), top.path.parent, services)


def _load_entry(entry: Reader, base: Path, services: dict[str, Service]) -> None:
    component = entry.text("component", required=True)
    if component.split("@")[0].split("/")[-1] != "fc":
        entry.fail("component", f"unsupported component {component!r} (a 2.x project runs component 'fc')")
    props = entry.mapping("props", required=True)
    region = props.text("region", required=True)
    svc = props.mapping("service", required=True)
    name = svc.name("name")
    service = services.get(name)
    if service is None:
        log_config = svc.raw("logConfig", {})  # often the string `auto`; fclocal logs to files anyway
        service = services[name] = Service(
            name=name,
            region=region,
            description=svc.text("description"),
            role=svc.text("role"),
            internet_access=svc.flag("internetAccess", True),
            log_config=log_config if isinstance(log_config, dict) else {},
        )
    elif service.region != region:
        props.fail("region", f"service {name!r} is already declared in region {service.region!r}")
    reader.versions(svc, service, "service.versions")
    fn = _load_function(props.mapping("function", required=True), service, base)
    triggers = tuple(_load_trigger(t) for t in props.items("triggers"))
    fn = dataclasses.replace(fn, triggers=triggers)
    if fn.name in service.functions:
        props.mapping("function").fail("name", f"function {fn.name!r} is declared twice in service {name!r}")
    service.functions[fn.name] = fn


def _load_function(f: Reader, service: Service, base: Path) -> Function:
    runtime = reader.runtime(f)
    code_dir, handler = reader.code(f, "codeUri", base)
    return Function(
        service=service.name,
        name=f.name("name"),
        runtime=runtime,
        handler=handler,
        code_dir=code_dir,
        region=service.region,
        memory_size=reader.memory_size(f),
        timeout=f.integer("timeout", 3, 1, 86400),
        initializer=reader.handler_spec(f, "initializer"),
        initialization_timeout=f.integer("initializationTimeout", 3, 1, 300),
        environment=reader.environment(f),
        instance_concurrency=f.integer("instanceConcurrency", 1, 1, 200),
        description=f.text("description"),
        async_config=_load_async(f.mapping("asyncConfiguration")),
        role=service.role,
        internet_access=service.internet_access,
    )


def _load_async(a: Reader) -> AsyncConfig:
    destination = a.raw("destination", {})
    if not isinstance(destination, dict):
        a.fail("destination", "must be a mapping with onSuccess/onFailure")
    return AsyncConfig(
        max_retry_attempts=a.integer("maxAsyncRetryAttempts", 3, 0, 8),
        max_event_age_seconds=a.integer("maxAsyncEventAgeInSeconds", 86400, 1, 86400),
        stateful=a.flag("statefulInvocation", False),
        destination=destination,
    )


def _load_trigger(t: Reader) -> Trigger:
    """`{name, type, role, sourceArn, qualifier, description, config}` of the fc component."""
    kind = t.text("type", required=True)
    config = t.raw("config", {})
    if not isinstance(config, dict):
        t.fail("config", "must be a mapping")
    if kind in ("http", "https"):
        config = reader.http_config(t, "config", config)
    return Trigger(
        name=t.name("name"),
        type=kind,
        config=config,
        qualifier=t.text("qualifier") or "LATEST",
        description=t.text("description"),
        source_arn=t.text("sourceArn"),
        invocation_role=t.text("role"),
    )
