from __future__ import annotations

from pathlib import Path

import yaml


class SdevsFileError(Exception):
    """A Serverless Devs file cannot be used as a whole (missing, not YAML, wrong shape)."""


def read_mapping(path: Path, expected: str) -> dict:
    """The YAML mapping in `path` ({} for an empty file); `expected` names it in the error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SdevsFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SdevsFileError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise SdevsFileError(f"{path}: not valid YAML{line}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SdevsFileError(f"{path}: expected {expected}")
    return data
