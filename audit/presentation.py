"""The trail page's words for an entry: what changed as `key: old → new`, the object by name.

Entries keep `before`/`after` as JSON summaries; the page reads them here, not as Python reprs.
Nothing here imports another app: objects are linked by URL name, so a type whose page is gone
(or never existed) is simply named without a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.apps import apps
from django.urls import NoReverseMatch, reverse

# Pages an entry's object can be opened on, by the object's type (addressed by its uuid).
_PAGES = {
    "savedevents.savedevent": "savedevents:detail",
    "invocations.invocation": "invocation",
    "invocations.credentialprofile": "profile-edit",
}
# An entry about an object that is gone links nowhere.
_GONE = (".deleted", ".purged")
_MISSING = object()
MAX_VALUE = 160


@dataclass(frozen=True)
class Change:
    key: str
    old: str | None  # None: the key was not there before
    new: str | None  # None: the key is not there after


def words(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(words(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {words(v)}" for k, v in value.items()) or "—"
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def changes(before, after) -> list[Change]:
    """Only what differs when both sides are there; every key of the side there is otherwise."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        rows = []
        if before not in (None, {}):
            rows += _whole(before, old=True)
        if after not in (None, {}):
            rows += _whole(after, old=False)
        return rows
    keys = list(before) + [k for k in after if k not in before]
    rows = []
    for key in keys:
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old == new:
            continue
        rows.append(
            Change(str(key), None if old is _MISSING else words(old), None if new is _MISSING else words(new))
        )
    return rows


def _whole(side, *, old: bool) -> list[Change]:
    items = side.items() if isinstance(side, dict) else [("", side)]
    return [Change(str(k), words(v), None) if old else Change(str(k), None, words(v)) for k, v in items]


def object_kind(object_type: str) -> str:
    """'savedevents.savedevent' -> 'saved event' (the model's own name for itself)."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_url(entry) -> str:
    name = _PAGES.get(entry.object_type)
    if not name or entry.action.endswith(_GONE):
        return ""
    try:
        return reverse(name, args=[UUID(entry.object_id)])
    except (ValueError, NoReverseMatch):
        return ""


@dataclass(frozen=True)
class Row:
    entry: object
    kind: str
    url: str
    changes: list[Change]


def rows(entries) -> list[Row]:
    return [
        Row(e, object_kind(e.object_type) if e.object_type else "", object_url(e), changes(e.before, e.after))
        for e in entries
    ]
