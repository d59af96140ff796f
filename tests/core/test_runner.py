"""run.execute in this process: the claim, retries of calls FC never saw, timeouts, mapping.

FC's side is a port nothing listens on (connection refused) or tests/fc/edge_server.py (a
server that hangs); answers only fclocal gives are in test_flow.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from invocations.fc.errors import FCError
from invocations.fc.results import InvokeResult
from invocations.lifecycle import outcomes, run
from invocations.models import Invocation, InvocationState
from tests.core.conftest import make_profile
from tests.fc.edge_server import EdgeServer


def queued(user, profile, **fields) -> Invocation:
    values = dict(region="cn-hangzhou", service="demo", function="hello", event=b"{}")
    return Invocation.objects.create(user=user, profile=profile, **{**values, **fields})


@pytest.mark.django_db
def test_a_claim_moves_queued_to_running_once(invoker, nowhere_profile):
    invocation = queued(invoker, nowhere_profile)
    claimed = Invocation.objects.claim(invocation.pk)
    assert Invocation.objects.claim(invocation.pk) is None
    invocation.refresh_from_db()
    assert invocation.state == InvocationState.RUNNING
    assert invocation.started_at is not None and invocation.attempts == 1
    # The claim hands back the row as it now is, typed like the ORM's own reads.
    assert (claimed.pk, claimed.state, claimed.started_at, claimed.attempts) == (
        invocation.pk,
        InvocationState.RUNNING,
        invocation.started_at,
        1,
    )
    assert bytes(claimed.event) == b"{}" and claimed.profile == nowhere_profile


@pytest.mark.django_db
def test_a_claim_is_one_statement_and_brings_the_profile(invoker, nowhere_profile, django_assert_num_queries):
    invocation = queued(invoker, nowhere_profile)
    with django_assert_num_queries(1):
        claimed = Invocation.objects.claim(invocation.pk)
        # The call needs the profile next (its client): it came with the claim.
        assert claimed.profile.pk == nowhere_profile.pk
        assert claimed.profile.access_key_secret() == nowhere_profile.access_key_secret()
        assert claimed.profile.updated_at == nowhere_profile.updated_at
    with django_assert_num_queries(1):
        assert Invocation.objects.claim(invocation.pk) is None


@pytest.mark.django_db
def test_a_second_message_for_a_claimed_row_does_nothing(invoker, nowhere_profile):
    invocation = queued(invoker, nowhere_profile, state=InvocationState.RUNNING, attempts=1)
    assert run.execute(invocation.pk).state == InvocationState.RUNNING
    invocation.refresh_from_db()
    assert invocation.attempts == 1 and invocation.error_code == ""


@pytest.mark.django_db
def test_a_message_outliving_its_row_does_nothing():
    assert run.execute(987654321) is None


@pytest.mark.django_db
def test_a_result_is_not_written_over_a_row_that_is_no_longer_running(invoker, nowhere_profile):
    invocation = queued(invoker, nowhere_profile, state=InvocationState.UNKNOWN)
    assert Invocation.objects.finish(invocation.pk, state=InvocationState.SUCCEEDED) is False
    invocation.refresh_from_db()
    assert invocation.state == InvocationState.UNKNOWN


@pytest.mark.django_db
def test_connection_refused_puts_the_row_back_in_the_queue_with_the_reason(invoker, nowhere_profile):
    invocation = queued(invoker, nowhere_profile)
    with pytest.raises(run.RetryLater) as later:
        run.execute(invocation.pk)
    invocation.refresh_from_db()
    assert invocation.state == InvocationState.QUEUED
    assert invocation.attempts == 1
    assert "Could not connect to FC." in invocation.state_reason
    assert "(attempt 2 of 5)" in invocation.state_reason
    assert 0 < later.value.delay <= 60
    # The retry is on its way: the sweep does not send the row a second time.
    Invocation.objects.filter(pk=invocation.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert not Invocation.objects.unsent().filter(pk=invocation.pk).exists()


@pytest.mark.django_db
def test_refused_calls_end_in_error_once_the_tries_are_used_up(invoker, nowhere_profile, settings):
    settings.FC_RETRY_LIMIT = 3
    settings.FC_RETRY_BACKOFF = 0
    invocation = run.execute(queued(invoker, nowhere_profile).pk, retry_inline=True)
    assert invocation.state == InvocationState.ERROR
    assert invocation.attempts == 3
    assert invocation.error_code == "ConnectionRefused"
    assert invocation.state_reason.startswith("Could not connect to FC.")


@pytest.mark.django_db
def test_a_sync_call_without_an_answer_ends_unknown_and_is_sent_once(invoker):
    with EdgeServer(lambda n: "hang") as server:
        profile = make_profile("hanging", server.url)
        invocation = run.execute(queued(invoker, profile, client_timeout=1).pk, retry_inline=True)
    assert invocation.state == InvocationState.UNKNOWN
    assert invocation.error_code == "ReadTimeout"
    assert "the function may have run" in invocation.state_reason
    assert len(server.requests) == 1


@pytest.mark.django_db
def test_a_profile_whose_secret_cannot_be_decrypted_ends_in_error(invoker, nowhere_profile):
    type(nowhere_profile).objects.filter(pk=nowhere_profile.pk).update(access_key_secret_encrypted="garbage")
    invocation = run.execute(queued(invoker, nowhere_profile).pk)
    assert invocation.state == InvocationState.ERROR
    assert "cannot be decrypted" in invocation.state_reason


@pytest.mark.django_db
def test_a_profile_with_an_unusable_endpoint_ends_in_error_without_a_call(invoker):
    profile = make_profile("pathy", "http://127.0.0.1:9000/some/path")
    invocation = run.execute(queued(invoker, profile).pk)
    assert invocation.state == InvocationState.ERROR
    assert invocation.state_reason.startswith(
        "The profile pathy cannot be used: endpoint must not carry a path"
    )


# -- what an answer means (invocations.lifecycle.outcomes) -------------------------------------------------


def result(**fields) -> InvokeResult:
    values = dict(status=200, request_id="1-abc", body=b"hi", request_url="http://fc/x", headers={})
    return InvokeResult(**{**values, **fields})


def test_a_normal_answer_means_succeeded():
    fields = outcomes.from_result(result(duration_ms=3.5, instance_id="c-1"), is_async=False)
    assert fields["state"] == InvocationState.SUCCEEDED
    assert (fields["response_body"], fields["duration_ms"], fields["instance_id"]) == (b"hi", 3.5, "c-1")
    assert fields["finished_at"] is not None


def test_a_200_with_an_error_type_means_the_function_failed():
    body = b'{"errorMessage": "division by zero", "errorType": "ZeroDivisionError"}'
    fields = outcomes.from_result(result(body=body, error_type="UnhandledInvocationError"), is_async=False)
    assert fields["state"] == InvocationState.FAILED
    assert fields["error_message"] == "division by zero"
    assert fields["state_reason"] == "The function failed (UnhandledInvocationError): division by zero."


def test_an_accepted_async_call_means_tracking_its_task():
    fields = outcomes.from_result(result(status=202, body=b""), is_async=True, async_invocation_id="job_1")
    assert fields["state"] == InvocationState.TRACKING
    assert fields["async_invocation_id"] == "job_1"
    assert "finished_at" not in fields


def test_an_fc_refusal_means_error_with_its_code_and_plain_words():
    exc = FCError("FunctionNotFound", "function 'nope' does not exist in service 'demo'", 404, "1-req")
    fields = outcomes.from_error(exc, timeout=10)
    assert fields["state"] == InvocationState.ERROR
    assert (fields["error_code"], fields["http_status"], fields["request_id"]) == (
        "FunctionNotFound",
        404,
        "1-req",
    )
    assert fields["state_reason"] == (
        "There is no such function in this region (or, for FC 2.0, in this service). FC said: function 'nope' does not exist "
        "in service 'demo' (FunctionNotFound, HTTP 404)"
    )


def test_no_answer_means_unknown():
    fields = outcomes.from_error(FCError("ReadTimeout", "no answer", None), timeout=7)
    assert fields["state"] == InvocationState.UNKNOWN
    assert "waited up to 7 s" in fields["state_reason"]


def test_a_duplicate_task_id_on_the_first_send_is_an_error():
    fields = outcomes.from_error(FCError("StatefulAsyncInvocationAlreadyExists", "exists", 409), timeout=30)
    assert (fields["state"], fields["error_code"]) == (
        InvocationState.ERROR,
        "StatefulAsyncInvocationAlreadyExists",
    )


def test_a_duplicate_task_id_on_a_repeated_send_means_it_was_already_sent():
    exc = FCError("AsyncTaskAlreadyExists", "already exists", 409)  # FC 3.0's code
    fields = outcomes.from_error(exc, timeout=30, async_resend_of="job_1")
    assert fields["state"] == InvocationState.TRACKING
    assert "job_1" in fields["state_reason"] and "earlier send" in fields["state_reason"]
