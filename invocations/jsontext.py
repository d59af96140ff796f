"""JSON the console reads from users, with a cap on nesting.

Python's parser recurses once per level: a document nested a thousand deep raises RecursionError,
which no `except ValueError` catches (a 500, an HTML page from the API). No event or request the
console handles needs more than MAX_DEPTH levels, so deeper documents are refused with a message
that names the limit. `TooDeep` is a ValueError: every caller that reports invalid JSON reports
this too.
"""

from __future__ import annotations

import json

MAX_DEPTH = 64


class TooDeep(ValueError):
    def __init__(self):
        super().__init__(f"JSON nested deeper than {MAX_DEPTH} levels; the console reads at most {MAX_DEPTH}")


def loads(text: str | bytes):
    """`json.loads`, refusing documents nested deeper than MAX_DEPTH (TooDeep, a ValueError)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep() from None
    if depth(value) > MAX_DEPTH:
        raise TooDeep()
    return value


def depth(value) -> int:
    """Levels of arrays and objects in a parsed document (a scalar is 0), counted without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level  # deep enough to refuse: no need to walk the rest
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest
