"""fcconsole/statements.py writes and reads exactly what the ORM would, on PostgreSQL (the
suite's database) and on SQLite (`make run`'s embedded default), and a token's membership comes
along, or its absence."""

import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model

from invocations.models import ApiToken, Role, role_of
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
