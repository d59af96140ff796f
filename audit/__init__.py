"""The audit trail: an append-only, hash-chained record of who did what, its pages and its check.

It listens (receivers/): to Django's model and auth signals, and to what the apps announce through
`invocations.activity`. No app imports it; the apps announce, the trail writes. Within this app,
`audit.record(action, *, actor=None, request=None, obj=None, before=None, after=None)` (the same
as `audit.trail.record`) writes one entry directly.
"""


def record(action, *, actor=None, request=None, obj=None, before=None, after=None):
    # Imported here: this package is imported before the app registry is ready.
    from audit.trail import record as _record

    return _record(action, actor=actor, request=request, obj=obj, before=before, after=after)


__all__ = ["record"]
