"""Signals the core sends, for apps that react to what happened to invocations.

The core imports no listener: an app connects in its `AppConfig.ready()` (as `notifications`
does). A receiver runs in whatever process ended the rows (a worker, the tracker, the sweep, the
CLI, a web request that stopped a queued row) and must stay quick: hand work to a task.
"""

from django.dispatch import Signal

# Sent by `lifecycle.wakeups.announce`, which every end path calls once the end is written:
# `pks`, a list of invocation primary keys that have just become terminal (not an async row FC
# merely accepted: that one wakes `?wait` waiters but is sent here only when it ends), and
# `invocation_type`, the one they all share when the sender knows it (None: look it up): a
# receiver that only cares about async rows skips a sync end without a query. Sent with
# `send_robust`, sender None: a failing receiver is logged and never fails the end.
invocation_ended = Signal()
