"""Two runs of a suite side by side: a check whose verdict changed stands out, with why."""

import pytest
from django.urls import reverse

from invocations.models import Invocation
from suites.models import SuiteRun, SuiteRunCheck
from tests.suites.conftest import check

pytestmark = pytest.mark.django_db


def a_run(suite, user, verdicts: dict, durations: dict, local):
    run = SuiteRun.objects.create(
        suite=suite, suite_version=suite.version, user=user, source="web", state="finished"
    )
    run.passed = all(v == "passed" for v in verdicts.values())
    run.save()
    for position, (name, verdict) in enumerate(verdicts.items()):
        invocation = Invocation.objects.create(
            user=user, profile=local, region="cn-hangzhou", service="demo", function=name,
            state="succeeded", duration_ms=durations[name],
        )  # fmt: skip
        judgements = (
            []
            if verdict == "passed"
            else [{"text": "the result equals 1", "passed": False, "detail": "it was 2"}]
        )
        SuiteRunCheck.objects.create(
            run=run,
            position=position,
            spec={"name": name},
            invocation=invocation,
            verdict=verdict,
            judgements=judgements,
        )
    return run


def test_the_changed_check_stands_out_with_its_failed_expectation_and_duration_change(
    as_user, invoker, make_suite, local
):
    suite = make_suite(invoker, [check("hello"), check("fail")])
    a = a_run(suite, invoker, {"hello": "passed", "fail": "passed"}, {"hello": 10.0, "fail": 5.0}, local)
    b = a_run(suite, invoker, {"hello": "failed", "fail": "passed"}, {"hello": 12.5, "fail": 5.0}, local)

    html = as_user(invoker).get(reverse("suites:run-compare", args=[b.uuid, a.uuid])).content.decode()
    rows = html.split("<tbody>")[1].split("</tr>")
    hello = next(row for row in rows if ">hello" in row)
    fail = next(row for row in rows if ">fail" in row)
    assert "changed" in hello and "changed" not in fail
    assert "the result equals 1: it was 2" in hello and "+2.50 ms" in hello
    assert "compare results" in hello
    # the run page offers the comparison with the run before it
    run_page = as_user(invoker).get(reverse("suites:run", args=[b.uuid])).content.decode()
    assert reverse("suites:run-compare", args=[b.uuid, a.uuid]) in run_page


def test_runs_of_two_suites_are_not_compared(as_user, invoker, make_suite, local):
    one = a_run(
        make_suite(invoker, [check("hello")], name="one"), invoker, {"hello": "passed"}, {"hello": 1.0}, local
    )
    two = a_run(
        make_suite(invoker, [check("hello")], name="two"), invoker, {"hello": "passed"}, {"hello": 1.0}, local
    )
    assert as_user(invoker).get(reverse("suites:run-compare", args=[one.uuid, two.uuid])).status_code == 404
