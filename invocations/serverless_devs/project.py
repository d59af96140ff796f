"""The functions of a Serverless Devs project file (`s.yaml`): what `s invoke` would target.

Reads the 2.x `fc` component shape (`services: <key>: {component: fc, access, props: {region,
service: {name}, function: {name}, qualifier}}`), resolving `${vars.x}` and `${env.X}` references.
`fc3` resources (FC 3.0, no service) and other components are reported as skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
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
    for section in ("services", "resources"):
        block = data.get(section)
        if block is None:
            continue
        if not isinstance(block, dict):
            raise SdevsFileError(f"{path}: `{section}` must be a mapping")
        entries += [_entry(str(label), spec, variables, default_access) for label, spec in block.items()]
    if "services" not in data and "resources" not in data:
        raise SdevsFileError(f"{path}: no `services:` (or `resources:`) section")
    return Project(name=name, path=path, entries=entries)


def _entry(label: str, spec, variables: dict, default_access: str) -> ProjectTarget | NotATarget:
    if not isinstance(spec, dict):
        return NotATarget(label, "rejected", "expected a mapping with `component` and `props`")
    component = str(spec.get("component", "")).split("@")[0]
    if component in _FC3_COMPONENTS:
        return NotATarget(label, "skipped", "fc3 is FC 3.0 (no service); the console calls FC 2.0 functions")
    if component not in _FC2_COMPONENTS:
        return NotATarget(label, "skipped", f"component {component or '(none)'!r} is not fc")
    try:
        props = _resolve(spec.get("props") or {}, variables)
        access = _resolve(spec.get("access") or default_access, variables)
    except _Unresolved as exc:
        return NotATarget(label, "rejected", f"cannot resolve ${{{exc}}}")
    if not isinstance(props, dict):
        return NotATarget(label, "rejected", "`props` must be a mapping")
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
        access=str(access),
    )
    problems = []
    for field, rule in _NAME_RULES.items():
        try:
            rule(getattr(target, field))
        except ValidationError as exc:
            problems.append(f"{field}: {' '.join(exc.messages)}")
    if problems:
        return NotATarget(label, "rejected", "; ".join(problems))
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
