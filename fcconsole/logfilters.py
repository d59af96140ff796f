"""Logging filters that keep `make run`'s terminal readable without hiding a real error.

Both are attached to loggers (not handlers) in settings.LOGGING, so they hold in the Celery
worker too, where Celery replaces the root logger's handlers with its own.
"""

import logging


class QuietRoutineTasks(logging.Filter):
    """Drops Celery's INFO lines ("Sending due task", "received", "succeeded") about the tasks the
    beat schedules every second or so; their warnings and errors, and every other task's lines,
    pass. Celery hands the task's name over in `record.data` (worker) or in the args (beat)."""

    def __init__(self, tasks=()):
        super().__init__()
        self.tasks = frozenset(tasks)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            return data.get("name") not in self.tasks
        if record.name == "celery.beat" and isinstance(record.args, tuple) and len(record.args) == 2:
            return record.args[1] not in self.tasks  # ("Sending due task %s (%s)", entry, task)
        return True


class AnsweredWithoutTraceback(logging.Filter):
    """Statuses whose exception the console answered for what it is get one line, not its
    traceback: a 403 (the access rules doing their job) and a 503 (the database away, which
    invocations/views/errors.database_away has logged with the error, masked). Every other status
    (a 500 above all) keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 503):
            record.exc_info = None
            record.exc_text = None
        return True
