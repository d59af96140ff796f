"""The functions of a Serverless Devs project file (`s.yaml`): what `s invoke` would target.

Reads both editions, resolving `${vars.x}` and `${env.X}` references:

* Serverless Devs 2.x, component `fc` (FC 2.0): `services: <key>: {component: fc, access, props:
  {region, service: {name}, function: {name}, qualifier}}`: one target per entry.
* Serverless Devs 3.x (`edition: 3.0.0`), component `fc3` (FC 3.0, no service): `resources: <key>:
  {component: fc3, access, props: {region, functionName, versions: [{id}], aliases: [{name}]}}`:
  the function (LATEST), then one target per version and per alias when the file lists them
  (`versions`/`aliases` are fclocal's extension, fclocal/README.md; real fc3 files have none).

Other components are reported as skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from django.core.exceptions import ValidationError

from invocations import rules
from invocations.serverless_devs.files import SdevsFileError, read_mapping

_REFERENCE = re.compile(r"\$\{\s*([^}]+?)\s*\}")
_FC2_COMPONENTS = ("fc", "devsapp/fc")
_FC3_COMPONENTS = ("fc3", "devsapp/fc3")
# The invoke form's own rules: a pinned target is one the form can submit.
_NAME_RULES = {
    "region": rules.validate_region,
    "service": rules.validate_service_name,
    "function": rules.validate_function_name,
    "qualifier": rules.validate_qualifier,
}


@dataclass(frozen=True)
class ProjectTarget:
    label: str
    region: str
    service: str
    function: str
    qualifier: str
    access: str


@dataclass(frozen=True)
class NotATarget:
    label: str
    status: str  # skipped | rejected
    reason: str


@dataclass(frozen=True)
class Project:
    name: str
    path: Path
    entries: list[ProjectTarget | NotATarget]


class _Unresolved(Exception):
    pass


def read_project(path: Path) -> Project:
    data = read_mapping(path, "a Serverless Devs project (a mapping)")
    variables = data.get("vars") if isinstance(data.get("vars"), dict) else {}
    name = str(data.get("name") or path.resolve().parent.name)
    default_access = str(data.get("access") or "default")
    entries: list[ProjectTarget | NotATarget] = []
    edition = str(data.get("edition") or "")
    if edition.startswith("3") and "resources" not in data:
        # Serverless Devs 3.x reads `resources:` only; a 2.x `services:` block there is a mistake.
        raise SdevsFileError(f"{path}: edition {edition} lists its functions under `resources:`, none found")
    for section in ("services", "resources"):
        block = data.get(section)
        if block is None:
            continue
        if not isinstance(block, dict):
            raise SdevsFileError(f"{path}: `{section}` must be a mapping")
        for label, spec in block.items():
            entries += _entries(str(label), spec, variables, default_access)
    if "services" not in data and "resources" not in data:
        raise SdevsFileError(f"{path}: no `services:` (or `resources:`) section")
    return Project(name=name, path=path, entries=entries)


def _entries(label: str, spec, variables: dict, default_access: str) -> list[ProjectTarget | NotATarget]:
    if not isinstance(spec, dict):
        return [NotATarget(label, "rejected", "expected a mapping with `component` and `props`")]
    component = str(spec.get("component", "")).split("@")[0]
    if component not in _FC2_COMPONENTS + _FC3_COMPONENTS:
        return [NotATarget(label, "skipped", f"component {component or '(none)'!r} is not fc or fc3")]
    try:
        props = _resolve(spec.get("props") or {}, variables)
        access = str(_resolve(spec.get("access") or default_access, variables))
    except _Unresolved as exc:
        return [NotATarget(label, "rejected", f"cannot resolve ${{{exc}}}")]
    if not isinstance(props, dict):
        return [NotATarget(label, "rejected", "`props` must be a mapping")]
    if component in _FC3_COMPONENTS:
        return _fc3_entries(label, props, access)
    return [_fc2_entry(label, props, access)]


def _fc2_entry(label: str, props: dict, access: str) -> ProjectTarget | NotATarget:
    service = props.get("service") if isinstance(props.get("service"), dict) else {}
    function = props.get("function") if isinstance(props.get("function"), dict) else {}
    found = {
        "region": props.get("region"),
        "service.name": service.get("name"),
        "function.name": function.get("name"),
    }
    missing = [key for key, value in found.items() if not isinstance(value, str | int) or not str(value)]
    if missing:
        return NotATarget(label, "rejected", f"props {', '.join(missing)} missing")
    target = ProjectTarget(
        label=label,
        region=str(found["region"]),
        service=str(found["service.name"]),
        function=str(found["function.name"]),
        qualifier=str(props.get("qualifier") or ""),
        access=access,
    )
    return _checked(target)


def _fc3_entries(label: str, props: dict, access: str) -> list[ProjectTarget | NotATarget]:
    found = {"region": props.get("region"), "functionName": props.get("functionName")}
    missing = [key for key, value in found.items() if not _scalar(value)]
    if missing:
        return [NotATarget(label, "rejected", f"props {', '.join(missing)} missing")]
    try:
        qualifiers = _listed(props, "versions", "id") + _listed(props, "aliases", "name")
    except _Malformed as exc:
        return [NotATarget(label, "rejected", str(exc))]
    latest = _checked(ProjectTarget(label, str(found["region"]), "", str(found["functionName"]), "", access))
    if isinstance(latest, NotATarget):
        return [latest]  # a bad region or name: once, not once per qualifier
    return [latest] + [_checked(replace(latest, qualifier=q)) for q in dict.fromkeys(qualifiers)]


class _Malformed(Exception):
    pass


def _listed(props: dict, key: str, field: str) -> list[str]:
    """The `field` of each item of `props[key]` (absent: none), naming the key of what is wrong."""
    items = props.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise _Malformed(f"props.{key} must be a list")
    values = []
    for index, item in enumerate(items):
        value = item.get(field) if isinstance(item, dict) else None
        if not _scalar(value):
            raise _Malformed(f"props.{key}[{index}].{field} missing")
        values.append(str(value))
    return values


def _scalar(value) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and bool(str(value))


def _checked(target: ProjectTarget) -> ProjectTarget | NotATarget:
    """The invoke form's own rules: a pinned target is one the form can submit."""
    problems = []
    for field, rule in _NAME_RULES.items():
        if field == "service" and not target.service:
            continue  # FC 3.0
        try:
            if field == "function":
                rule(target.function, fc3=not target.service)
            else:
                rule(getattr(target, field))
        except ValidationError as exc:
            problems.append(f"{field}: {' '.join(exc.messages)}")
    if problems:
        return NotATarget(target.label, "rejected", "; ".join(problems))
    return target


def _resolve(value, variables: dict):
    """`${vars.a.b}` and `${env.X}` / `${env(X)}`, recursively; a lone reference keeps its type."""
    if isinstance(value, dict):
        return {key: _resolve(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, variables) for item in value]
    if not isinstance(value, str):
        return value
    whole = _REFERENCE.fullmatch(value.strip())
    if whole:
        return _resolve(_lookup(whole.group(1), variables), variables)
    return _REFERENCE.sub(lambda m: str(_lookup(m.group(1), variables)), value)


def _lookup(expression: str, variables: dict):
    env = re.fullmatch(r"env(?:\.(\w+)|\(\s*['\"]?(\w+)['\"]?\s*\))", expression)
    if env:
        name = env.group(1) or env.group(2)
        if name not in os.environ:
            raise _Unresolved(expression)
        return os.environ[name]
    parts = expression.split(".")
    if parts[0] != "vars":
        raise _Unresolved(expression)
    node = variables
    for part in parts[1:]:
        if not isinstance(node, dict) or part not in node:
            raise _Unresolved(expression)
        node = node[part]
    return node
