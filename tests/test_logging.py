"""`make run`'s terminal: settings.LOGGING, run as Django runs it, says each thing once and keeps
the routine beat tasks and 403s quiet without hiding a real error."""

import io
import logging
from contextlib import redirect_stderr

import pytest
from celery.app import trace
from django.test import Client
from django.utils.log import configure_logging


@pytest.fixture
def terminal(settings):
    """What `make run` prints (DEBUG on, as on a laptop), in a buffer; logging is set up again
    as before afterwards."""
    settings.DEBUG = True
    buffer = io.StringIO()
    try:
        with redirect_stderr(buffer):  # the handlers are made now, writing to the buffer
            configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
        yield buffer
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def task_line(fmt: str, name: str) -> None:
    trace.info(
        fmt,
        {
            "id": "0f0f",
            "name": name,
            "args": "()",
            "kwargs": "{}",
            "eta": None,
            "runtime": 0.01,
            "return_value": "None",
        },
    )


def test_the_routine_beat_tasks_log_no_info_lines(terminal):
    for name in ("invocations.track_async", "invocations.track_function", "invocations.sweep"):
        logging.getLogger("celery.beat").info("Scheduler: Sending due task %s (%s)", "x", name)
        task_line(trace.LOG_RECEIVED, name)
        task_line(trace.LOG_SUCCESS, name)
    assert terminal.getvalue() == ""


def test_no_task_says_received_or_succeeded_by_default_and_errors_still_log(terminal):
    """WORKER_TASK_LOG_LEVEL is WARNING unless set: the row of every invocation says when it ran
    and how it ended, and a worker skips building a line per task (issue 18)."""
    task_line(trace.LOG_RECEIVED, "invocations.invoke")
    task_line(trace.LOG_SUCCESS, "invocations.invoke")
    logging.getLogger("celery.app.trace").error(
        trace.LOG_FAILURE,
        {"id": "1", "name": "invocations.track_async", "exc": "boom", "description": "raised unexpected"},
        extra={"data": {"name": "invocations.track_async"}},
    )
    printed = terminal.getvalue()
    assert "succeeded" not in printed and "received" not in printed.lower()
    assert "invocations.track_async[1] raised unexpected: boom" in printed


def test_at_info_other_tasks_say_it_and_routine_ones_stay_quiet(settings):
    """WORKER_TASK_LOG_LEVEL=INFO, as an operator sets it."""
    original, loggers = settings.LOGGING, settings.LOGGING["loggers"]
    settings.LOGGING = {
        **settings.LOGGING,
        "loggers": {
            **loggers,
            "celery.worker.strategy": {**loggers["celery.worker.strategy"], "level": "INFO"},
            "celery.app.trace": {**loggers["celery.app.trace"], "level": "INFO"},
        },
    }
    buffer = io.StringIO()
    try:
        with redirect_stderr(buffer):
            configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
        task_line(trace.LOG_SUCCESS, "invocations.invoke")
        task_line(trace.LOG_SUCCESS, "invocations.track_async")
    finally:
        configure_logging(settings.LOGGING_CONFIG, original)
    printed = buffer.getvalue()
    assert "invocations.invoke[0f0f] succeeded" in printed
    assert "track_async" not in printed


@pytest.mark.django_db
def test_a_403_logs_one_line_once_without_a_traceback(terminal, outsider):
    client = Client()
    client.force_login(outsider)
    terminal.truncate(0)
    assert client.get("/history/").status_code == 403
    printed = terminal.getvalue()
    assert printed.count("Forbidden (Permission denied): /history/") == 1
    assert "Traceback" not in printed


@pytest.mark.django_db
def test_a_server_error_keeps_its_traceback(terminal):
    try:
        raise RuntimeError("a real bug")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /x/", exc_info=True, extra={"status_code": 500}
        )
    printed = terminal.getvalue()
    assert printed.count("Internal Server Error: /x/") == 1
    assert "Traceback" in printed and "a real bug" in printed
