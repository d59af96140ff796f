"""fcconsole/statements.py writes and reads exactly what the ORM would, on PostgreSQL (the
suite's database) and on SQLite (`make run`'s embedded default), and a token's membership comes
along, or its absence."""

import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from fcconsole import statements
from invocations import activity
from invocations.models import ApiToken, Invocation, Role, role_of
from tests.conftest import ROOT
from tests.fixtures.statements_on_sqlite import differences


@pytest.mark.django_db
def test_rows_through_the_statements_read_as_the_orm_reads_them(invoker, nowhere_profile):
    assert differences(invoker, nowhere_profile) == []


def test_the_same_on_sqlite(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "tests.fixtures.statements_on_sqlite", str(tmp_path / "check.sqlite3")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "same as the ORM"


@pytest.mark.django_db
def test_a_token_of_a_user_without_membership_has_no_role_and_a_revoked_one_none(
    django_assert_num_queries,
):
    user = get_user_model().objects.create(username="no-membership")
    token, plaintext = ApiToken.objects.issue(user, "t")
    found = ApiToken.objects.authenticate(plaintext)
    assert found.pk == token.pk and found.user.pk == user.pk
    with django_assert_num_queries(0):  # no membership row: no role, and no query to learn it
        assert role_of(found.user) is None
    token.revoke()
    assert ApiToken.objects.authenticate(plaintext) is None


@pytest.mark.django_db
def test_a_token_brings_its_users_role(invoker, django_assert_num_queries):
    _, plaintext = ApiToken.objects.issue(invoker, "t")
    user = ApiToken.objects.authenticate(plaintext).user
    with django_assert_num_queries(0):
        assert role_of(user) == Role.INVOKER


@pytest.mark.django_db
def test_a_submit_writes_its_row_and_audit_entry_in_one_statement(invoker, nowhere_profile):
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        row = Invocation.objects.submit(
            user=invoker, profile=nowhere_profile, region="", service="demo", function="f", enqueue=False
        )
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1
    assert '"invocations_invocation"' in inserts[0] and '"audit_auditentry"' in inserts[0]
    entry = AuditEntry.objects.get(object_id=str(row.uuid))
    assert entry.action == "invocation.submitted" and entry.actor_id == invoker.pk


@pytest.mark.django_db
def test_a_batch_and_its_entries_too(invoker, nowhere_profile):
    from django.db import connection

    items = [{"profile": nowhere_profile, "service": "demo", "function": f"f{i}"} for i in range(3)]
    with CaptureQueriesContext(connection) as queries:
        rows = Invocation.objects.submit_many(user=invoker, items=items, enqueue=False)
    assert len([q for q in queries.captured_queries if "INSERT" in q["sql"]]) == 1
    assert [row.function for row in rows] == ["f0", "f1", "f2"]
    assert AuditEntry.objects.filter(object_id__in=[str(row.uuid) for row in rows]).count() == 3


@pytest.mark.django_db
def test_a_follower_that_refuses_leaves_nothing_written(invoker, nowhere_profile):
    def refuse(**kwargs):
        raise RuntimeError("the trail is full")

    entries = AuditEntry.objects.count()
    activity.invocations_writing.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError):
            Invocation.objects.submit(
                user=invoker, profile=nowhere_profile, region="", service="demo", function="f", enqueue=False
            )
    finally:
        activity.invocations_writing.disconnect(dispatch_uid="test.refuse")
    assert not Invocation.objects.exists() and AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_rows_added_that_cannot_be_written_take_the_main_rows_with_them(invoker, nowhere_profile):
    first = Invocation.objects.submit(
        user=invoker, profile=nowhere_profile, region="", service="demo", function="f", enqueue=False
    )
    taken = AuditEntry.objects.get(object_id=str(first.uuid))
    clash = AuditEntry(id=taken.id, seq=taken.seq, at=taken.at, action="x.y", mac="m")
    inserts = statements.Inserts(
        Invocation, [Invocation(user=invoker, profile=nowhere_profile, function="g")]
    )
    inserts.add(AuditEntry, [clash])
    with pytest.raises(IntegrityError), transaction.atomic():
        inserts.run()
    assert list(Invocation.objects.values_list("function", flat=True)) == ["f"]
