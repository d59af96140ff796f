"""`manage.py invoke_batch FILE|-` as a subprocess: JSON Lines of the API's item shape in, one id
per line out, all or nothing (nothing here runs: the rows wait for a worker)."""

import json

import pytest

from audit.models import AuditEntry
from invocations.models import Invocation
from tests.cliapi.cli import manage
from tests.cliapi.conftest import make_profile

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team(invoker):
    return make_profile("team", users=[invoker])


def jsonl(*items) -> str:
    return "".join(json.dumps(item) + "\n" for item in items)


FC2 = {"profile": "team", "region": "cn-hangzhou", "service": "demo", "function": "hello"}
FC3 = {"profile": "team", "region": "cn-hangzhou", "function": "hello3"}


def test_it_prints_one_id_per_line_in_the_order_of_the_file(team, invoker, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(
        jsonl({**FC2, "event": '{"n": 1}'}, FC3) + "\n" + jsonl({**FC3, "invocation_type": "async"})
    )

    run = manage("invoke_batch", str(path))

    assert run.status == 0, run.stderr
    ids = run.stdout.split()
    rows = {str(row.uuid): row for row in Invocation.objects.all()}
    assert len(ids) == 3 and set(ids) == set(rows)
    assert [(rows[i].service, rows[i].function, rows[i].invocation_type) for i in ids] == [
        ("demo", "hello", "sync"),
        ("", "hello3", "sync"),
        ("", "hello3", "async"),
    ]
    # Sent to the queue (a worker of another test may already be running them).
    assert {(row.source, row.user_id) for row in rows.values()} == {("cli", invoker.pk)}
    assert all(row.celery_task_id and row.state != "error" for row in rows.values())
    assert AuditEntry.objects.filter(action="invocation.submitted", object_id__in=ids).count() == 3


def test_it_reads_stdin(team):
    run = manage("invoke_batch", "-", stdin=jsonl(FC2, FC2).encode())

    assert run.status == 0, run.stderr
    assert len(run.stdout.split()) == 2 == Invocation.objects.count()


def test_a_refused_line_refuses_the_file_naming_the_line_and_writes_nothing(team):
    stdin = jsonl(FC2, {**FC2, "function": "bad.name"}) + "\n" + jsonl({"profile": "team"})

    run = manage("invoke_batch", "-", stdin=stdin.encode())

    assert run.status == 64
    assert run.stdout == ""
    assert "line 4: function: This field is required." in run.stderr
    assert not Invocation.objects.exists()
    run = manage("invoke_batch", "-", stdin=jsonl(FC2, {**FC2, "function": "bad.name"}).encode())
    assert run.status == 64
    assert "line 2: function: A function name uses letters" in run.stderr
    assert not Invocation.objects.exists()


def test_more_than_1000_lines_are_refused(team):
    run = manage("invoke_batch", "-", stdin=jsonl(*[FC2] * 1001).encode())

    assert run.status == 64
    assert "A batch carries at most 1,000 invocations; this one has 1,001." in run.stderr
    assert not Invocation.objects.exists()
