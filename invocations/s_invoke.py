"""The `s invoke` command line (Serverless Devs, fc component) that sends the same request; for an
FC 3.0 target (no service) the fc3 component's `s cli fc3 invoke`, which takes no service and
calls the async id `--async-task-id`.

Flags per fc-api.md §10.2. The event goes inline with `-e` (a `-f` file would lose its line
breaks, §10.2); a binary event cannot be typed, so the line names a file to put it in. A task
id we generated is left out: FC refuses a reused one, and `s` sends an empty id to get a new one.
"""

from __future__ import annotations

import json
import shlex

from invocations import rules


def command_line(invocation) -> str:
    fc3 = not invocation.service
    args = ["s", "cli", "fc3", "invoke"] if fc3 else ["s", "invoke"]
    args += ["-a", invocation.profile.name, "--region", invocation.region]
    if not fc3:
        args += ["--service-name", invocation.service]
    args += ["--function-name", invocation.function]
    if invocation.qualifier:
        args += ["--qualifier", invocation.qualifier]
    if invocation.is_async:
        args += ["--invocation-type", "async"]
        async_id = invocation.async_invocation_id
        if async_id and not async_id.startswith(rules.ASYNC_ID_PREFIX):
            args += ["--async-task-id" if fc3 else "--stateful-async-invocation-id", async_id]
    if invocation.http_request is not None:
        args += ["-e", json.dumps(invocation.http_request, ensure_ascii=False)]
    else:
        event = bytes(invocation.event)
        if event:
            try:
                args += ["-e", event.decode("utf-8")]
            except UnicodeDecodeError:
                args += ["--event-file", "event.bin"]
    return " ".join(shlex.quote(arg) for arg in args)
