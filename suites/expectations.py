"""What a check expects of its invocation, said in plain words and judged in plain code.

No database here: `judge(expect, outcome)` takes the stored expectations (a dict, every key
optional) and an `Outcome` (what came back), and returns one `Judgement` per expectation.

Expectation keys (the JSON a suite file and the API carry):

- `state`: "succeeded" or "failed" (the function raised); with "failed", `error_type` may name
  the error type (FC's X-Fc-Error-Type, e.g. "UnhandledInvocationError"). Absent: the check expects "succeeded".
- `json_path` (default `$`, the whole result) with `equals` (any JSON value) and/or `contains`
  (a substring of a string, an element of a list, or a sub-object of an object).
- `matches`: a regular expression searched in the result (or in the string at `json_path`).
- `max_duration_ms`, `max_memory_mb`: upper bounds, inclusive.
- `log_contains`, `log_excludes`: a text the log tail must (not) contain.
- `http_status`: the status an HTTP-trigger function answered.

JSON paths are a small subset: `$`, then `.name` or `[index]` steps (`$.a.b[0].c`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

STATES = ("succeeded", "failed")
KEYS = (
    "state",
    "error_type",
    "json_path",
    "equals",
    "contains",
    "matches",
    "max_duration_ms",
    "max_memory_mb",
    "log_contains",
    "log_excludes",
    "http_status",
)
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[\"([^\"]*)\"\]")
_MISSING = object()


class ExpectationError(ValueError):
    """An expectation that cannot be judged (bad path, bad regex, wrong type)."""


@dataclass(frozen=True)
class Outcome:
    """What came back from one invocation, as far as expectations look at it."""

    state: str
    error_type: str = ""
    body: bytes = b""
    duration_ms: float | None = None
    max_memory_mb: float | None = None
    log_tail: str = ""
    http_status: int | None = None
    reason: str = ""  # why the console ended it (error/unknown), shown when the state is wrong


@dataclass(frozen=True)
class Judgement:
    text: str  # what was expected, in plain words
    passed: bool
    detail: str = ""  # what came instead, when it failed

    def to_dict(self) -> dict:
        return {"text": self.text, "passed": self.passed, "detail": self.detail}


# --- JSON paths -----------------------------------------------------------------------------


def parse_path(path: str) -> list[str | int]:
    """`$.a.b[0].c` -> ["a", "b", 0, "c"]. Raises ExpectationError for anything else."""
    path = (path or "$").strip()
    if not path.startswith("$"):
        raise ExpectationError(f"a JSON path starts with $, not {path[:1]!r}")
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            raise ExpectationError(f"cannot read the JSON path {path!r} at {path[position:]!r}")
        name, index, quoted = step.groups()
        steps.append(int(index) if index is not None else (name if name is not None else quoted))
        position = step.end()
    return steps


def resolve(document, path: str):
    """The value at `path` in `document`, or `_MISSING` when the path leads nowhere."""
    value = document
    for step in parse_path(path):
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
        elif not isinstance(value, dict) or step not in value:
            return _MISSING
        value = value[step]
    return value


def contains(haystack, needle) -> bool:
    """A substring of a string, an element of a list, or a sub-object (recursively) of an object."""
    if isinstance(haystack, str):
        return isinstance(needle, str) and needle in haystack
    if isinstance(haystack, list):
        return any(item == needle for item in haystack)
    if isinstance(haystack, dict):
        return isinstance(needle, dict) and all(
            k in haystack and (haystack[k] == v or (isinstance(v, dict) and contains(haystack[k], v)))
            for k, v in needle.items()
        )
    return False


# --- plain words ----------------------------------------------------------------------------


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def describe(expect: dict) -> list[str]:
    """Every expectation of a check, in the words the pages and reports use."""
    return [text for text, _ in _rules(expect)]


def _rules(expect: dict):
    """(plain words, judge(outcome) -> detail or "" when met), in a fixed order."""
    state = expect.get("state") or "succeeded"
    error_type = expect.get("error_type") or ""
    words = f"ends in state {state}" + (f" with error type {error_type}" if error_type else "")
    if not expect.get("state"):
        words += " (the default)"
    yield words, lambda o: _judge_state(o, state, error_type)
    path = expect.get("json_path") or "$"
    where = "the result" if path == "$" else f"the result at {path}"
    if "equals" in expect:
        wanted = expect["equals"]
        yield f"{where} equals {_show(wanted)}", lambda o: _judge_value(o, path, "equals", wanted)
    if "contains" in expect:
        wanted = expect["contains"]
        yield f"{where} contains {_show(wanted)}", lambda o: _judge_value(o, path, "contains", wanted)
    if expect.get("matches"):
        pattern = expect["matches"]
        yield (
            f"{where} matches the regular expression {pattern}",
            lambda o: _judge_value(o, path, "matches", pattern),
        )
    if expect.get("max_duration_ms") is not None:
        limit = expect["max_duration_ms"]
        yield f"takes at most {limit:g} ms", lambda o: _judge_at_most(o.duration_ms, limit, "ms", "duration")
    if expect.get("max_memory_mb") is not None:
        limit = expect["max_memory_mb"]
        yield (
            f"uses at most {limit:g} MB of memory",
            lambda o: _judge_at_most(o.max_memory_mb, limit, "MB", "memory use"),
        )
    if expect.get("log_contains"):
        text = expect["log_contains"]
        yield (
            f"log tail contains {_show(text)}",
            lambda o: "" if text in o.log_tail else "it does not",
        )
    if expect.get("log_excludes"):
        text = expect["log_excludes"]
        yield (
            f"log tail does not contain {_show(text)}",
            lambda o: "it does" if text in o.log_tail else "",
        )
    if expect.get("http_status") is not None:
        status = int(expect["http_status"])
        yield (
            f"answers HTTP status {status}",
            lambda o: "" if o.http_status == status else f"it answered {o.http_status or 'nothing'}",
        )


def _judge_state(o: Outcome, state: str, error_type: str) -> str:
    if o.state != state:
        came = f"it ended {o.state}"
        if o.error_type:
            came += f" ({o.error_type})"
        elif o.reason:
            came += f": {o.reason[:200]}"
        return came
    if error_type and o.error_type != error_type:
        return f"the error type was {o.error_type or 'none'}"
    return ""


def _document(o: Outcome):
    try:
        return json.loads(o.body)
    except (ValueError, UnicodeDecodeError):
        raise ExpectationError("the result is not JSON") from None


def _judge_value(o: Outcome, path: str, how: str, wanted) -> str:
    try:
        if how == "matches" and path == "$":
            value = o.body.decode("utf-8", "replace")
        else:
            value = resolve(_document(o), path)
        if value is _MISSING:
            return f"there is nothing at {path}"
        if how == "equals":
            return "" if value == wanted else f"it was {_show(value)}"
        if how == "contains":
            return "" if contains(value, wanted) else f"it was {_show(value)}"
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        return "" if re.search(wanted, value) else f"it was {_show(value)}"
    except ExpectationError as exc:
        return str(exc)
    except re.error as exc:
        return f"the regular expression is not valid: {exc}"


def _judge_at_most(value: float | None, limit: float, unit: str, what: str) -> str:
    if value is None:
        return f"no {what} was reported"
    return "" if value <= limit else f"it was {value:g} {unit}"


def judge(expect: dict, outcome: Outcome) -> list[Judgement]:
    """One judgement per expectation, in the order `describe` lists them."""
    return [Judgement(text, not (detail := rule(outcome)), detail) for text, rule in _rules(expect)]


def validate(expect) -> dict:
    """The expectations as stored (unknown keys and bad values refused with ExpectationError)."""
    if not isinstance(expect, dict):
        raise ExpectationError("expectations are a JSON object")
    unknown = set(expect) - set(KEYS)
    if unknown:
        raise ExpectationError(f"unknown expectations: {', '.join(sorted(unknown))}")
    clean = {k: v for k, v in expect.items() if v not in (None, "")}
    if "equals" in expect:
        clean["equals"] = expect["equals"]  # null and "" are values worth expecting
    if "contains" in expect:
        clean["contains"] = expect["contains"]
    if clean.get("state") and clean["state"] not in STATES:
        raise ExpectationError(f"state is one of {', '.join(STATES)}")
    if clean.get("error_type") and clean.get("state") != "failed":
        raise ExpectationError("an error type goes with the state failed")
    if "json_path" in clean:
        parse_path(clean["json_path"])
    if "matches" in clean:
        try:
            re.compile(clean["matches"])
        except re.error as exc:
            raise ExpectationError(f"the regular expression is not valid: {exc}") from None
    for key in ("max_duration_ms", "max_memory_mb", "http_status"):
        if key in clean:
            value = clean[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ExpectationError(f"{key} is a number of at least 0")
    for key in ("state", "error_type", "json_path", "matches", "log_contains", "log_excludes"):
        if key in clean and not isinstance(clean[key], str):
            raise ExpectationError(f"{key} is text")
    return {k: clean[k] for k in KEYS if k in clean}
