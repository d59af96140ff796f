"""The project file: a Serverless Devs 2.x `s.yaml` whose services use component `fc`.

Each entry of `services:` describes one function (Serverless Devs repeats the service props per
function). Entries naming the same service are merged into one `Service`. Anything fclocal cannot
run stops start-up with a `ConfigError` naming the file, the key and the problem.

fclocal's own extension (not part of the fc component): versions and aliases of a service,

    props:
      service:
        name: demo
        versions: [{id: "1", description: first release}]
        aliases: [{name: prod, versionId: "1", description: production}]

Versions and aliases run the same code as LATEST (fclocal publishes nothing); they exist so that
qualified calls resolve, report `X-Fc-Invocation-Service-Version`, and unknown ones fail like FC.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from fclocal.checksum import code_checksum

SUPPORTED_RUNTIMES = ("python3", "python3.9", "python3.10")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
HANDLER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*\.[A-Za-z_][A-Za-z0-9_]*$")
VARIABLE_RE = re.compile(r"\$\{\s*(vars|env)[.(]\s*([A-Za-z0-9_.-]+)\s*\)?\s*\}")


class ConfigError(Exception):
    def __init__(self, file: Path | str, key: str, problem: str):
        super().__init__(f"{file}: {key}: {problem}")
        self.file, self.key, self.problem = str(file), key, problem


@dataclass(frozen=True)
class AsyncConfig:
    max_retry_attempts: int = 3
    max_event_age_seconds: int = 86400
    stateful: bool = False
    destination: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Trigger:
    name: str
    type: str
    config: dict
    qualifier: str = "LATEST"
    description: str = ""

    @property
    def auth_type(self) -> str:
        return self.config.get("authType", "function")


@dataclass(frozen=True)
class Function:
    service: str
    name: str
    runtime: str
    handler: str
    code_dir: Path
    memory_size: int = 128
    timeout: int = 3
    initializer: str = ""
    initialization_timeout: int = 3
    environment: dict = field(default_factory=dict)
    instance_concurrency: int = 1
    description: str = ""
    async_config: AsyncConfig = field(default_factory=AsyncConfig)
    triggers: tuple[Trigger, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.name)

    @property
    def http_trigger(self) -> Trigger | None:
        return next((t for t in self.triggers if t.type in ("http", "https")), None)


@dataclass(frozen=True)
class Version:
    id: str
    description: str = ""


@dataclass(frozen=True)
class Alias:
    name: str
    version_id: str
    description: str = ""


@dataclass
class Service:
    name: str
    region: str
    description: str = ""
    role: str = ""
    internet_access: bool = True
    log_config: dict = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    versions: dict[str, Version] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)


@dataclass
class Project:
    path: Path
    services: dict[str, Service]

    def functions(self) -> list[Function]:
        return [f for s in self.services.values() for f in s.functions.values()]

    def checksums(self) -> dict[tuple[str, str], str]:
        return {f.key: code_checksum(f.code_dir) for f in self.functions()}


class _Reader:
    """Typed access to one mapping of the file, with errors that name the dotted key."""

    def __init__(self, path: Path, prefix: str, data, variables: dict):
        self.path, self.prefix, self.variables = path, prefix, variables
        if not isinstance(data, dict):
            raise ConfigError(path, prefix, f"must be a mapping, got {type(data).__name__}")
        self.data = data

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, problem: str):
        raise ConfigError(self.path, self.key(name), problem)

    def raw(self, name: str, default=None, required: bool = False):
        if name not in self.data or self.data[name] is None:
            if required:
                self.fail(name, "is required")
            return default
        return _substitute(self.data[name], self.variables, self.path, self.key(name))

    def text(self, name: str, default: str = "", required: bool = False) -> str:
        value = self.raw(name, default, required)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(name, f"must be a string, got {type(value).__name__}")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.raw(name, default)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(name, f"must be an integer, got {value!r}")
        if not low <= value <= high:
            self.fail(name, f"must be between {low} and {high}, got {value}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name, default)
        if not isinstance(value, bool):
            self.fail(name, f"must be true or false, got {value!r}")
        return value

    def mapping(self, name: str, required: bool = False) -> _Reader:
        return _Reader(self.path, self.key(name), self.raw(name, {}, required), self.variables)

    def sequence(self, name: str) -> list:
        value = self.raw(name, [])
        if not isinstance(value, list):
            self.fail(name, f"must be a list, got {type(value).__name__}")
        return value

    def name(self, name: str, required: bool = True) -> str:
        value = self.text(name, required=required)
        if value and not NAME_RE.match(value):
            self.fail(
                name,
                f"{value!r} is not a valid name (letters, digits, _ and -, not starting with a digit or -)",
            )
        return value


def _lookup(kind: str, name: str, variables: dict):
    if kind == "env":
        return os.environ.get(name)
    found = variables
    for part in name.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    return found


def _substitute(value, variables: dict, path: Path, key: str):
    """Expand `${vars.x}` and `${env(X)}` / `${env.X}` the way Serverless Devs does in strings.

    A string that is exactly one `${vars.x}` takes the variable's value as is (a mapping, a number).
    """
    if isinstance(value, str):

        def resolve(match: re.Match):
            found = _lookup(match.group(1), match.group(2), variables)
            if found is None:
                raise ConfigError(path, key, f"{match.group(0)} is not defined")
            return found

        whole = VARIABLE_RE.fullmatch(value.strip())
        if whole:
            return resolve(whole)
        return VARIABLE_RE.sub(lambda m: str(resolve(m)), value)
    if isinstance(value, dict):
        return {k: _substitute(v, variables, path, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, variables, path, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def load_project(path: Path | str) -> Project:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(path, "(file)", f"cannot be read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ConfigError(path, where, f"is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    top = _Reader(path, "", data if data is not None else {}, {})
    variables = top.raw("vars", {})
    if not isinstance(variables, dict):
        top.fail("vars", "must be a mapping")
    top.variables = variables
    entries = top.raw("services", required=True)
    if not isinstance(entries, dict) or not entries:
        top.fail("services", "must be a non-empty mapping of project entries")
    services: dict[str, Service] = {}
    for entry_name, entry in entries.items():
        _load_entry(_Reader(path, f"services.{entry_name}", entry, variables), path.parent, services)
    return Project(path=path, services=services)


def _load_entry(entry: _Reader, base: Path, services: dict[str, Service]) -> None:
    component = entry.text("component", required=True)
    if component.split("@")[0].split("/")[-1] != "fc":
        entry.fail("component", f"unsupported component {component!r} (fclocal runs component 'fc')")
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
    _load_versions(svc, service)
    fn = _load_function(props.mapping("function", required=True), name, base)
    triggers = tuple(_load_trigger(props, i, raw) for i, raw in enumerate(props.sequence("triggers")))
    fn = dataclasses.replace(fn, triggers=triggers)
    if fn.name in service.functions:
        props.mapping("function").fail("name", f"function {fn.name!r} is declared twice in service {name!r}")
    service.functions[fn.name] = fn


def _load_versions(svc: _Reader, service: Service) -> None:
    for i, raw in enumerate(svc.sequence("versions")):
        v = _Reader(svc.path, f"{svc.key('versions')}[{i}]", raw, svc.variables)
        version = Version(id=v.text("id", required=True), description=v.text("description"))
        if not version.id.isdigit():
            v.fail("id", f"a version id is a decimal number, got {version.id!r}")
        service.versions[version.id] = version
    for i, raw in enumerate(svc.sequence("aliases")):
        a = _Reader(svc.path, f"{svc.key('aliases')}[{i}]", raw, svc.variables)
        alias = Alias(a.name("name"), a.text("versionId", required=True), a.text("description"))
        if alias.name == "LATEST":
            a.fail("name", "LATEST is reserved and cannot be an alias")
        if alias.version_id not in service.versions:
            a.fail("versionId", f"version {alias.version_id!r} is not declared in service.versions")
        service.aliases[alias.name] = alias


def _load_function(f: _Reader, service: str, base: Path) -> Function:
    runtime = f.text("runtime", required=True)
    if runtime not in SUPPORTED_RUNTIMES:
        f.fail("runtime", f"unsupported runtime {runtime!r} (fclocal runs {', '.join(SUPPORTED_RUNTIMES)})")
    handler = f.text("handler", required=True)
    if not HANDLER_RE.match(handler):
        f.fail("handler", f"{handler!r} is not of the form file.function")
    initializer = f.text("initializer")
    if initializer and not HANDLER_RE.match(initializer):
        f.fail("initializer", f"{initializer!r} is not of the form file.function")
    code_uri = f.text("codeUri", required=True)
    code_dir = (base / code_uri).resolve()
    if not code_dir.is_dir():
        f.fail("codeUri", f"{code_uri!r} is not a directory (resolved to {code_dir})")
    module_file = code_dir / (handler.rsplit(".", 1)[0].replace(".", "/") + ".py")
    if not module_file.is_file():
        f.fail("handler", f"{handler!r} needs {module_file}, which does not exist")
    memory = f.integer("memorySize", 128, 64, 32768)
    if memory % 64:
        f.fail("memorySize", f"must be a multiple of 64 MB, got {memory}")
    env = f.raw("environmentVariables", {})
    if not isinstance(env, dict):
        f.fail("environmentVariables", "must be a mapping of names to strings")
    return Function(
        service=service,
        name=f.name("name"),
        runtime=runtime,
        handler=handler,
        code_dir=code_dir,
        memory_size=memory,
        timeout=f.integer("timeout", 3, 1, 86400),
        initializer=initializer,
        initialization_timeout=f.integer("initializationTimeout", 3, 1, 300),
        environment={str(k): _env_value(v) for k, v in env.items()},
        instance_concurrency=f.integer("instanceConcurrency", 1, 1, 200),
        description=f.text("description"),
        async_config=_load_async(f.mapping("asyncConfiguration")),
    )


def _env_value(value) -> str:
    """As Serverless Devs (JavaScript) would render it: true, not True."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _load_async(a: _Reader) -> AsyncConfig:
    destination = a.raw("destination", {})
    if not isinstance(destination, dict):
        a.fail("destination", "must be a mapping with onSuccess/onFailure")
    return AsyncConfig(
        max_retry_attempts=a.integer("maxAsyncRetryAttempts", 3, 0, 8),
        max_event_age_seconds=a.integer("maxAsyncEventAgeInSeconds", 86400, 1, 86400),
        stateful=a.flag("statefulInvocation", False),
        destination=destination,
    )


def _load_trigger(props: _Reader, index: int, raw) -> Trigger:
    t = _Reader(props.path, f"{props.key('triggers')}[{index}]", raw, props.variables)
    kind = t.text("type", required=True)
    config = t.raw("config", {})
    if not isinstance(config, dict):
        t.fail("config", "must be a mapping")
    if kind in ("http", "https"):
        auth = config.get("authType", "function")
        if auth not in ("anonymous", "function"):
            t.fail("config.authType", f"must be 'anonymous' or 'function', got {auth!r}")
        methods = config.get("methods", ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
        if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
            t.fail("config.methods", "must be a list of HTTP methods")
        config = {**config, "authType": auth, "methods": [m.upper() for m in methods]}
    return Trigger(
        name=t.name("name"),
        type=kind,
        config=config,
        qualifier=t.text("qualifier") or "LATEST",
        description=t.text("description"),
    )
