"""Following async tasks until they end: one List call per function per interval, however many
tasks it has (FC pages at 100 records and has no changed-since filter).

- `poll`: the poll of one function: schedule, lock, the one call, look-ups (`poll`, `due_groups`).
- `cursor`: which page that call reads, head or sweep, and what a page tells it (pure).
- `store`: writing the news of many rows at once (events, ends, FC start times).

Stopping a task is the invocation's own business: `Invocation.stop`.
"""
