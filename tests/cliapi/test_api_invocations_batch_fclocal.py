"""A batch end to end (issue 18): one POST, one transaction, one publish, then each row run by a
real worker on Redis against fclocal (FC 2.0 and 3.0 demos) and tracked like any other; and a
batch submitted while the broker is down, sent later by the sweep."""

import pytest
from django.conf import settings as django_settings

from audit.models import AuditEntry
from invocations.lifecycle import sweep
from invocations.lifecycle.rows import QUEUE_DOWN
from invocations.models import Invocation, InvocationState
from tests.cliapi.conftest import make_fclocal_profile
from tests.conftest import _worker_env
from tests.fc.edge_server import free_port
from tests.fixtures.django_process import run_django
from tests.fixtures.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

URL = "/api/v1/invocations/batch"


@pytest.fixture
def demo(fclocal, invoker):
    return make_fclocal_profile("demo", fclocal, users=[invoker])


def all_ended(ids, seconds=60):
    rows = Invocation.objects.filter(uuid__in=ids)

    def ended():
        states = list(rows.values_list("state", flat=True))
        return len(states) == len(ids) and set(states) <= set(InvocationState.terminal())

    wait_until(
        ended,
        seconds=seconds,
        interval=0.2,
        what=lambda: f"states {sorted(rows.values_list('state', flat=True))}",
    )
    return {str(row.uuid): row for row in rows}


def test_a_mixed_fc2_and_fc3_batch_runs_every_item_through_the_worker(celery_worker, demo, invoker, api_for):
    items = []
    for n in range(6):
        item = {"profile": "demo", "region": "cn-hangzhou", "function": "hello", "event": f'{{"n": {n}}}'}
        items.append({**item, "service": "demo"} if n % 2 else item)  # odd: FC 2.0, even: FC 3.0

    response = api_for(invoker).post(URL, {"items": items}, format="json")

    assert response.status_code == 201, response.json()
    ids = response.json()["ids"]
    rows = all_ended(ids)
    assert [rows[i].state for i in ids] == ["succeeded"] * 6, [rows[i].state_reason for i in ids]
    assert [bytes(rows[i].response_body) for i in ids] == [f'{{"n": {n}}}'.encode() for n in range(6)]
    assert ["/2023-03-30/functions/hello/" in rows[i].request_url for i in ids] == [True, False] * 3
    assert all(rows[i].attempts == 1 and rows[i].request_id for i in ids)  # each claimed and run once
    assert AuditEntry.objects.filter(action="invocation.submitted", object_id__in=ids).count() == 6


def test_a_batch_submitted_with_the_broker_down_stays_queued_until_the_sweep_sends_it(
    celery_worker, demo, invoker
):
    """The submitting process's broker is a closed port; the sweep later runs with the real one."""
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from invocations.models import CredentialProfile, Invocation\n"
        f"profile = CredentialProfile.objects.get(pk={demo.pk})\n"
        "item = dict(profile=profile, region='cn-hangzhou', function='hello', event=b'{}')\n"
        f"rows = Invocation.objects.submit_many(user=get_user_model().objects.get(pk={invoker.pk}),"
        " items=[item, {**item, 'service': 'demo'}, item], source='api')\n"
        "print(' '.join(str(row.uuid) for row in rows))\n"
    )
    done = run_django(
        script,
        base=_worker_env(django_settings.DATABASES["default"]["NAME"]),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    assert done.returncode == 0, done.stderr
    ids = done.stdout.split()

    rows = Invocation.objects.filter(uuid__in=ids)
    assert len(rows) == 3
    for row in rows:
        assert (row.state, row.state_reason) == (InvocationState.QUEUED, QUEUE_DOWN)
        assert row.sent_at is None and row.send_attempts == 1
    assert AuditEntry.objects.filter(action="invocation.submitted", object_id__in=ids).count() == 3

    rows.update(created_at=rows[0].created_at.replace(year=2020))  # past FC_RESEND_AFTER
    assert sweep.resend_unsent() == 3
    ended = all_ended(ids)
    assert {row.state for row in ended.values()} == {InvocationState.SUCCEEDED}
    assert {(row.send_attempts, row.state_reason) for row in ended.values()} == {(2, "")}
