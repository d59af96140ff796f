"""Query parameters and pagination shared by both APIs: `limit`, `prefix`, `nextToken` over
named resources, and the opaque cursor of async-task listings."""

from __future__ import annotations

import base64
import binascii
import json

from fclocal import errors

MAX_LIMIT = 100
# unconfirmed (fc-api.md 11, fc3-api.md 5.1): the default order of ListStatefulAsyncInvocations /
# ListAsyncTasks; chose newest first because a console lists tasks to see the latest ones.
DEFAULT_TASK_ORDER = "desc"


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


def versions_page(ids: list[str], query: dict[str, str]) -> tuple[list[str], str, str | None]:
    """Version ids by number, BACKWARD (newest first) unless direction=FORWARD: (page, direction,
    next token or None)."""
    direction = query.get("direction") or "BACKWARD"
    if direction not in ("FORWARD", "BACKWARD"):
        raise errors.invalid_argument(f"direction must be FORWARD or BACKWARD, got '{direction}'")
    ids = sorted(ids, key=int, reverse=direction == "BACKWARD")
    start = query.get("nextToken") or query.get("startKey")
    if start:
        if not start.isdigit():
            raise errors.invalid_argument(f"invalid nextToken '{start}'")
        ids = [i for i in ids if (int(i) <= int(start) if direction == "BACKWARD" else int(i) >= int(start))]
    limit = parse_limit(query)
    return ids[:limit], direction, ids[limit] if len(ids) > limit else None


def int_param(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    if not raw.lstrip("-").isdigit():
        raise errors.invalid_argument(f"{name} must be epoch milliseconds, got '{raw}'")
    return int(raw)


def flag_param(query: dict[str, str], name: str) -> bool:
    """Booleans travel as `true`/`false` (Node SDK) or `True`/`False` (Python SDK)."""
    return query.get(name, "").lower() == "true"


def task_order(query: dict[str, str]) -> bool:
    """`sortOrderByTime`: True for descending."""
    order = query.get("sortOrderByTime") or DEFAULT_TASK_ORDER
    if order not in ("asc", "desc"):
        raise errors.invalid_argument(f"sortOrderByTime must be asc or desc, got '{order}'")
    return order == "desc"


def encode_cursor(cursor: tuple[int, str] | None) -> str | None:
    if cursor is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(list(cursor)).encode()).decode()


def decode_cursor(token: str | None) -> tuple[int, str] | None:
    if not token:
        return None
    try:
        started, task_id = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(started), str(task_id)
    except (ValueError, TypeError, binascii.Error):
        raise errors.invalid_argument(f"invalid nextToken '{token}'") from None
