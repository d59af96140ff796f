"""Every expectation kind judged against fclocal's demo functions (run in this process, the CLI's
way, so no worker is needed), passing and failing; and a run end to end through a real worker."""

import pytest
from django.dispatch import receiver

from invocations.lifecycle import run as runner
from invocations.models import Invocation
from suites import runs, signals
from suites.models import SuiteRun
from tests.fixtures.waiting import wait_until
from tests.suites.conftest import check

pytestmark = pytest.mark.django_db(transaction=True)


def run_inline(suite, user, **kwargs) -> SuiteRun:
    run = runs.start(suite, user, source="cli", enqueue=False, **kwargs)
    for row in run.run_checks.exclude(invocation=None):
        runner.execute(row.invocation_id, retry_inline=True)
    runs.finish_if_done(run.pk)  # a run with nothing sent finished at start already
    run.refresh_from_db()
    assert run.is_finished
    return run


def verdicts(run) -> dict[str, list[tuple[str, bool]]]:
    return {c.name: [(j["text"], j["passed"]) for j in c.judgements] for c in run.run_checks.all()}


PASSING = [
    check("hello", expect={"state": "succeeded", "json_path": "$.k", "equals": "v"}, name="equals"),
    check("hello", expect={"contains": {"k": "v"}}, name="contains"),
    check("hello", expect={"matches": r'"k":\s*"v"'}, name="matches"),
    check(
        "fail", expect={"state": "failed", "error_type": "UnhandledInvocationError"}, name="fails as expected"
    ),
    check("hello", expect={"max_duration_ms": 60000, "max_memory_mb": 4096}, name="fast and small"),
    check("hello", expect={"log_contains": "received", "log_excludes": "Traceback"}, name="log"),
    check(
        "http-hello",
        event={"text": '{"method": "GET", "path": "/ping"}'},
        http=True,
        expect={"http_status": 200, "json_path": "$.path", "equals": "/ping"},
        name="http",
    ),
    check("hello", service="", expect={"json_path": "$.k", "equals": "v"}, name="fc3 hello"),
    check("fail", service="", expect={"state": "failed"}, name="fc3 fail"),
]

FAILING = [
    check("hello", expect={"json_path": "$.k", "equals": "w"}, name="equals"),
    check("hello", expect={"contains": {"k": "w"}}, name="contains"),
    check("hello", expect={"matches": "^nope"}, name="matches"),
    check("fail", expect={}, name="fails unexpectedly"),
    check("hello", expect={"max_duration_ms": 0, "max_memory_mb": 0}, name="fast and small"),
    check("hello", expect={"log_contains": "nope", "log_excludes": "received"}, name="log"),
    check(
        "http-hello",
        event={"text": '{"method": "GET", "path": "/ping"}'},
        http=True,
        expect={"http_status": 404},
        name="http",
    ),
    check("slow", event={"text": '{"seconds": 0}'}, expect={"state": "failed"}, name="slow succeeds"),
]


def test_every_expectation_kind_passes_against_the_demo_functions(local, invoker, make_suite):
    run = run_inline(make_suite(invoker, PASSING), invoker)
    assert {c.name: c.verdict for c in run.run_checks.all()} == {c["name"]: "passed" for c in PASSING}, (
        verdicts(run)
    )
    assert run.passed is True
    assert set(Invocation.objects.values_list("source", flat=True)) == {"cli"}


def test_every_expectation_kind_fails_when_it_should(local, invoker, make_suite):
    run = run_inline(make_suite(invoker, FAILING), invoker)
    assert {c.name: c.verdict for c in run.run_checks.all()} == {c["name"]: "failed" for c in FAILING}, (
        verdicts(run)
    )
    unmet = {
        c.name: [f"{j['text']}: {j['detail']}" for j in c.failed_judgements] for c in run.run_checks.all()
    }
    assert unmet["equals"] == ['the result at $.k equals "w": it was "v"']
    assert unmet["fails unexpectedly"] == [
        "ends in state succeeded (the default): it ended failed (UnhandledInvocationError)"
    ]
    assert unmet["log"][0] == 'log tail contains "nope": it does not'
    assert unmet["http"] == ["answers HTTP status 404: it answered 200"]
    assert run.passed is False


def test_a_check_the_console_refuses_is_not_run_and_fails_the_run(local, invoker, make_suite):
    suite = make_suite(invoker, [check("hello", event={"saved": "no-such-event"})])
    run = run_inline(suite, invoker)
    row = run.run_checks.get()
    assert (row.verdict, row.invocation) == ("not_run", None)
    assert "no saved event named 'no-such-event'" in row.reason
    assert run.passed is False


def test_a_run_ends_through_the_worker_and_the_periodic_task_with_the_signal(
    local, invoker, make_suite, hello_event, celery_worker
):
    suite = make_suite(
        invoker,
        [
            check(
                "hello", event={"saved": "hello-event"}, expect={"json_path": "$.greeting", "equals": "hi"}
            ),
            check("slow", event={"text": '{"seconds": 1}'}, name="slow"),
            check(
                "stateful-job",
                invocation_type="async",
                event={"text": '{"seconds": 1}'},
                expect={"state": "succeeded"},
            ),
        ],
    )
    heard = []

    @receiver(signals.run_finished, dispatch_uid="test-heard")
    def hear(sender, run, passed, previous_passed, **kwargs):
        heard.append((sender, run.pk, passed, previous_passed))

    try:
        from invocations.tasks import track_async
        from suites.tasks import tick

        first = runs.start(suite, invoker, source="api")
        assert first.run_checks.filter(invocation__source="api").count() == 3

        def finished(run):
            track_async.delay()  # what the beat does for the async check
            tick.apply()  # the beat's suites entry, here in this process
            run.refresh_from_db()
            return run.is_finished

        wait_until(lambda: finished(first), seconds=60, interval=0.5, what="the first run to finish")
        assert first.passed is True, verdicts(first)
        second = runs.start(suite, invoker, source="web")
        wait_until(lambda: finished(second), seconds=60, interval=0.5, what="the second run to finish")
    finally:
        signals.run_finished.disconnect(dispatch_uid="test-heard")
    assert heard == [(SuiteRun, first.pk, True, None), (SuiteRun, second.pk, True, True)]
