"""Serverless Devs 3.x project files: `edition: 3.0.0`, `resources:` entries with component `fc3`.

One entry is one FC 3.0 function (no service). Read from `props`: `region`, `functionName`,
`description`, `runtime`, `code` (a local directory), `handler`, `memorySize`, `timeout`,
`environmentVariables`, `instanceConcurrency`, `role`, `internetAccess`,
`instanceLifecycleConfig.initializer.{handler, timeout}`, `asyncInvokeConfig.{maxAsyncRetryAttempts,
maxAsyncEventAgeInSeconds, asyncTask, destinationConfig}` and `triggers[].{triggerName,
triggerType, triggerConfig, qualifier, description, sourceArn, invocationRole}`. fclocal's
extension, beside them: `versions: [{id, description}]`, `aliases: [{name, versionId,
description}]` of the function.
"""

from __future__ import annotations

from pathlib import Path

from fclocal import reader
from fclocal.model import AsyncConfig, Function, Trigger, Versions
from fclocal.reader import Reader

# FC 3.0's rule for function names (fc3-api.md 2): 1-64 characters.
MAX_NAME = 64


def load_functions(top: Reader, functions: dict[str, Function], versions: dict[str, Versions]) -> None:
    """Add the functions of a 3.x file to the 3.0 namespace (shared by every 3.x file served)."""
    edition = top.text("edition")
    if edition and not edition.startswith("3."):
        top.fail("edition", f"a project with resources: is edition 3.0.0, got {edition!r}")
    entries = top.raw("resources", required=True)
    if not isinstance(entries, dict) or not entries:
        top.fail("resources", "must be a non-empty mapping of project entries")
    for entry_name, entry in entries.items():
        r = top.child(f"resources.{entry_name}", entry)
        component = r.text("component", required=True)
        if component.split("@")[0].split("/")[-1] != "fc3":
            r.fail("component", f"unsupported component {component!r} (a 3.x project runs component 'fc3')")
        props = r.mapping("props", required=True)
        fn = _load_function(props, top.path.parent)
        if fn.name in functions:
            props.fail("functionName", f"function {fn.name!r} is declared twice")
        own = Versions()
        reader.versions(props, own, "versions")
        functions[fn.name] = fn
        versions[fn.name] = own


def _load_function(p: Reader, base: Path) -> Function:
    name = p.name("functionName")
    if len(name) > MAX_NAME:
        p.fail("functionName", f"must be at most {MAX_NAME} characters")
    runtime = reader.runtime(p)
    code_dir, handler = reader.code(p, "code", base)
    initializer = p.mapping("instanceLifecycleConfig").mapping("initializer")
    region = p.text("region", required=True)
    return Function(
        service="",
        name=name,
        runtime=runtime,
        handler=handler,
        code_dir=code_dir,
        region=region,
        memory_size=reader.memory_size(p),
        timeout=p.integer("timeout", 3, 1, 86400),
        initializer=reader.handler_spec(initializer, "handler"),
        initialization_timeout=initializer.integer("timeout", 3, 1, 600),
        environment=reader.environment(p),
        instance_concurrency=p.integer("instanceConcurrency", 1, 1, 200),
        description=p.text("description"),
        async_config=_load_async(p.mapping("asyncInvokeConfig")),
        triggers=tuple(_load_trigger(t) for t in p.items("triggers")),
        role=p.text("role"),
        internet_access=p.flag("internetAccess", True),
    )


def _load_async(a: Reader) -> AsyncConfig:
    destination = a.raw("destinationConfig", {})
    if not isinstance(destination, dict):
        a.fail("destinationConfig", "must be a mapping with onSuccess/onFailure")
    return AsyncConfig(
        max_retry_attempts=a.integer("maxAsyncRetryAttempts", 3, 0, 8),
        max_event_age_seconds=a.integer("maxAsyncEventAgeInSeconds", 86400, 1, 86400),
        stateful=a.flag("asyncTask", False),
        destination=destination,
    )


def _load_trigger(t: Reader) -> Trigger:
    kind = t.text("triggerType", required=True)
    config = t.raw("triggerConfig", {})
    if not isinstance(config, dict):
        t.fail("triggerConfig", "must be a mapping")
    if kind in ("http", "https"):
        config = reader.http_config(t, "triggerConfig", config)
    return Trigger(
        name=t.name("triggerName"),
        type=kind,
        config=config,
        qualifier=t.text("qualifier") or "LATEST",
        description=t.text("description"),
        source_arn=t.text("sourceArn"),
        invocation_role=t.text("invocationRole"),
    )
