"""Signal receivers that write the trail without the code making the change having to ask.

Each module watches one kind of object. A receiver writes exactly one entry per meaningful change
and none for saves that change nothing worth recording (e.g. `last_login`).
"""

from audit.receivers import activity, auth, invocations, profiles, users  # noqa: F401
