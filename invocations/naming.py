"""How the pages name a target, FC 2.0 and FC 3.0 alike (no Django: savedevents and the CLI may
use it too).

FC 2.0 targets keep the console's long-standing form `service.qualifier/function` (the
qualifier belongs to the service there); FC 3.0 targets have no service, and are named
`function:qualifier` as `Target` names them (the qualifier belongs to the function).
"""

from __future__ import annotations

API_LABELS = {True: "FC 3.0", False: "FC 2.0"}


def target_name(service: str, function: str, qualifier: str = "") -> str:
    if service:
        return f"{service}{'.' + qualifier if qualifier else ''}/{function}"
    return f"{function}:{qualifier}" if qualifier else function


def api_label(service: str) -> str:
    """Which API a target speaks: a service means FC 2.0."""
    return API_LABELS[not service]
