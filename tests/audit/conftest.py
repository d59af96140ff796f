"""Factories for the audit tests: profiles and invocations written the way the console writes them."""

import pytest

from audit.models import AuditEntry
from invocations.models import CredentialProfile, Invocation, InvocationState
from tests.fixtures import profiles

SECRET = "s3cr3t-AccessKeySecret-value"
TOKEN = "sts-token-value-never-logged"


def make_profile(name="prod", **fields) -> CredentialProfile:
    """A profile whose secret the trail must never show."""
    fields.setdefault("endpoint", "")
    return profiles.make_profile(name, secret=SECRET, access_key_id="LTAI5tExampleKeyId", **fields)


def make_invocation(user, profile, **fields) -> Invocation:
    values = {
        "region": "cn-hangzhou",
        "service": "demo",
        "function": "hello",
        "event": b'{"k": "v"}',
        "state": InvocationState.SUCCEEDED,
    }
    values.update(fields)
    return Invocation.objects.create(user=user, profile=profile, **values)


def entries(action: str | None = None):
    queryset = AuditEntry.objects.order_by("seq")
    return list(queryset.filter(action=action) if action else queryset)


@pytest.fixture
def profile(db):
    return make_profile()


def last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def entries_since(seq: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=seq).order_by("seq"))


@pytest.fixture(autouse=True)
def digest_dir(settings, tmp_path):
    """Each test its own digest directory: the file is state outside the test database."""
    settings.AUDIT_DIGEST_DIR = tmp_path / "audit-digests"
    return settings.AUDIT_DIGEST_DIR


def tamper(sql: str, params=()) -> None:
    """What someone with database access does: raw SQL around every guard of the model."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=AuditEntry._meta.db_table), params)
