"""Reading a project file: typed access that names the file and dotted key of every problem, the
`${vars.x}` / `${env(X)}` expansion of Serverless Devs, and the fields both editions share
(runtime, handler and code, memory, environment, versions and aliases, HTTP trigger config)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from fclocal.model import Alias, Service, Version, Versions

SUPPORTED_RUNTIMES = ("python3", "python3.9", "python3.10")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
HANDLER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*\.[A-Za-z_][A-Za-z0-9_]*$")
# `${vars.x}`, `${env(X)}`, `${env('X')}` (3.x quotes the name) and `${env.X}`.
VARIABLE_RE = re.compile(r"\$\{\s*(vars|env)[.(]\s*['\"]?([A-Za-z0-9_.-]+)['\"]?\s*\)?\s*\}")
HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]


class ConfigError(Exception):
    def __init__(self, file: Path | str, key: str, problem: str):
        super().__init__(f"{file}: {key}: {problem}")
        self.file, self.key, self.problem = str(file), key, problem


class Reader:
    """Typed access to one mapping of the file, with errors that name the dotted key."""

    def __init__(self, path: Path, prefix: str, data, variables: dict):
        self.path, self.prefix, self.variables = path, prefix, variables
        if not isinstance(data, dict):
            raise ConfigError(path, prefix or "(file)", f"must be a mapping, got {type(data).__name__}")
        self.data = data

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, problem: str):
        raise ConfigError(self.path, self.key(name), problem)

    def child(self, name: str, data) -> Reader:
        return Reader(self.path, self.key(name), data, self.variables)

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

    def mapping(self, name: str, required: bool = False) -> Reader:
        return self.child(name, self.raw(name, {}, required))

    def sequence(self, name: str) -> list:
        value = self.raw(name, [])
        if not isinstance(value, list):
            self.fail(name, f"must be a list, got {type(value).__name__}")
        return value

    def items(self, name: str) -> list[Reader]:
        """The entries of a list of mappings, each a Reader keyed `name[i]`."""
        return [self.child(f"{name}[{i}]", raw) for i, raw in enumerate(self.sequence(name))]

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


def read_file(path: Path) -> Reader:
    """The top-level mapping of a YAML file, with its `vars:` ready for expansion."""
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
    top = Reader(path, "", data if data is not None else {}, {})
    variables = top.raw("vars", {})
    if not isinstance(variables, dict):
        top.fail("vars", "must be a mapping")
    top.variables = variables
    return top


# -- fields both editions share ------------------------------------------------------------------


def runtime(r: Reader) -> str:
    value = r.text("runtime", required=True)
    if value not in SUPPORTED_RUNTIMES:
        r.fail("runtime", f"unsupported runtime {value!r} (fclocal runs {', '.join(SUPPORTED_RUNTIMES)})")
    return value


def handler_spec(r: Reader, name: str, required: bool = False) -> str:
    value = r.text(name, required=required)
    if value and not HANDLER_RE.match(value):
        r.fail(name, f"{value!r} is not of the form file.function")
    return value


def code(r: Reader, code_key: str, base: Path) -> tuple[Path, str]:
    """(code directory, handler): the directory must exist and hold the handler's file."""
    handler = handler_spec(r, "handler", required=True)
    raw = r.raw(code_key, required=True)
    if not isinstance(raw, str):
        r.fail(code_key, "must be a local directory (fclocal runs no code from OSS)")
    code_dir = (base / raw).resolve()
    if not code_dir.is_dir():
        r.fail(code_key, f"{raw!r} is not a directory (resolved to {code_dir})")
    module_file = code_dir / (handler.rsplit(".", 1)[0].replace(".", "/") + ".py")
    if not module_file.is_file():
        r.fail("handler", f"{handler!r} needs {module_file}, which does not exist")
    return code_dir, handler


def memory_size(r: Reader) -> int:
    memory = r.integer("memorySize", 128, 64, 32768)
    if memory % 64:
        r.fail("memorySize", f"must be a multiple of 64 MB, got {memory}")
    return memory


def environment(r: Reader) -> dict[str, str]:
    env = r.raw("environmentVariables", {})
    if not isinstance(env, dict):
        r.fail("environmentVariables", "must be a mapping of names to strings")
    return {str(k): _env_value(v) for k, v in env.items()}


def _env_value(value) -> str:
    """As Serverless Devs (JavaScript) would render it: true, not True."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def versions(r: Reader, into: Versions | Service, owner: str) -> None:
    """`versions: [{id, description}]` and `aliases: [{name, versionId, description}]`, added to
    a 3.0 function's `Versions` or a 2.0 `Service` (`owner` names where they belong)."""
    for v in r.items("versions"):
        version = Version(id=v.text("id", required=True), description=v.text("description"))
        if not version.id.isdigit():
            v.fail("id", f"a version id is a decimal number, got {version.id!r}")
        into.versions[version.id] = version
    for a in r.items("aliases"):
        alias = Alias(a.name("name"), a.text("versionId", required=True), a.text("description"))
        if alias.name == "LATEST":
            a.fail("name", "LATEST is reserved and cannot be an alias")
        if alias.version_id not in into.versions:
            a.fail("versionId", f"version {alias.version_id!r} is not declared in {owner}")
        into.aliases[alias.name] = alias


def http_config(t: Reader, config_key: str, config: dict) -> dict:
    """An HTTP trigger's config with `authType` and upper-case `methods` checked and defaulted."""
    auth = config.get("authType", "function")
    if auth not in ("anonymous", "function"):
        t.fail(f"{config_key}.authType", f"must be 'anonymous' or 'function', got {auth!r}")
    methods = config.get("methods", HTTP_METHODS)
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        t.fail(f"{config_key}.methods", "must be a list of HTTP methods")
    return {**config, "authType": auth, "methods": [m.upper() for m in methods]}
