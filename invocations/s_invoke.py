"""The `s invoke` command line (Serverless Devs) that sends the same request.

The target says which: a row with a service is FC 2.0, `s invoke` of the fc component
(Serverless Devs 2.x, flags per fc-api.md §10.2); one without is FC 3.0, `s invoke` of the fc3
component (Serverless Devs 3.x, §10.5: no service, `--invocation-type Async`, `--async-task-id`).

The event goes inline with `-e` (fc's `-f` would lose its line breaks, §10.2); a binary event cannot
be typed, so the line names a file to put it in. A task id we generated is left out: FC refuses a
reused one, and `s` gets a new one without it.
"""

from __future__ import annotations

import json
import shlex

from invocations import rules

# fc3 has no HTTP-trigger invoke: it sends the request's JSON to the function as an event.
FC3_HTTP_NOTE = "# s invoke (fc3) sends this as an event; the console sent it through the HTTP trigger"


def command_line(invocation) -> str:
    fc3 = invocation.is_fc3
    args = ["s", "invoke", "-a", invocation.profile.name, "--region", invocation.region]
    if not fc3:
        args += ["--service-name", invocation.service]
    args += ["--function-name", invocation.function]
    if invocation.qualifier:
        args += ["--qualifier", invocation.qualifier]
    if invocation.is_async:
        args += ["--invocation-type", "Async" if fc3 else "async"]
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
    line = " ".join(shlex.quote(arg) for arg in args)
    if fc3 and invocation.http_request is not None:
        line += f"  {FC3_HTTP_NOTE}"
    return line
