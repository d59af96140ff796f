"""Audit trail and team administration.

Public API: `audit.record(action, *, actor=None, request=None, obj=None, before=None, after=None)`.
"""


def record(action, *, actor=None, request=None, obj=None, before=None, after=None):
    # Imported here: this package is imported before the app registry is ready.
    from audit.trail import record as _record

    return _record(action, actor=actor, request=request, obj=obj, before=before, after=after)


__all__ = ["record"]
