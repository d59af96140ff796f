"""Invocation's behaviour for the pages, the API and the CLI: JSON shape, history, rerun, s invoke."""

import base64
import json
import shlex

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from invocations.models import Invocation, InvocationState
from tests.core.conftest import DEMO_SECRET, make_profile


def invocation_of(user, profile, **fields) -> Invocation:
    values = dict(region="cn-hangzhou", service="demo", function="hello", event=b'{"a": 1}')
    return Invocation.objects.create(user=user, profile=profile, **{**values, **fields})


@pytest.mark.django_db
def test_to_dict_holds_the_request_and_result_and_no_secret(invoker, nowhere_profile):
    invocation = invocation_of(
        invoker,
        nowhere_profile,
        qualifier="prod",
        state=InvocationState.SUCCEEDED,
        response_body=b"hello",
        request_id="1-abc",
        duration_ms=3.5,
    )
    data = invocation.to_dict()
    assert data["id"] == str(invocation.uuid)
    assert (data["user"], data["profile"], data["state"]) == ("ivan-invoker", "nowhere", "succeeded")
    assert (data["event"], data["event_encoding"]) == ('{"a": 1}', "utf-8")
    assert (data["response_body"], data["request_id"], data["duration_ms"]) == ("hello", "1-abc", 3.5)
    text = json.dumps(data)  # serialisable as is
    assert DEMO_SECRET not in text and nowhere_profile.access_key_id not in text
    assert "timeline" not in data


@pytest.mark.django_db
def test_to_dict_gives_binary_payloads_as_base64(invoker, nowhere_profile):
    data = invocation_of(invoker, nowhere_profile, event=b"\xff\x00").to_dict()
    assert (data["event"], data["event_encoding"]) == (base64.b64encode(b"\xff\x00").decode(), "base64")


@pytest.mark.django_db
def test_to_dict_can_carry_the_async_timeline(invoker, nowhere_profile):
    from django.utils import timezone

    invocation = invocation_of(invoker, nowhere_profile, invocation_type="async", async_invocation_id="job_1")
    invocation.status_events.create(status="Enqueued", at=timezone.now())
    assert [e["status"] for e in invocation.to_dict(with_timeline=True)["timeline"]] == ["Enqueued"]


@pytest.mark.django_db
def test_every_team_role_sees_the_team_history(
    invoker, other_invoker, viewer, admin, outsider, nowhere_profile
):
    mine = invocation_of(invoker, nowhere_profile)
    theirs = invocation_of(other_invoker, nowhere_profile)
    for user in (invoker, viewer, admin):
        assert set(Invocation.objects.for_user(user)) == {mine, theirs}
    assert not Invocation.objects.for_user(outsider).exists()


@pytest.mark.django_db
def test_a_rerun_is_a_new_queued_row_with_the_same_request(invoker, other_invoker, nowhere_profile):
    original = invocation_of(invoker, nowhere_profile, qualifier="prod", client_timeout=9, state="succeeded")
    rerun = original.rerun(other_invoker, source="api")
    assert rerun.pk != original.pk and rerun.rerun_of == original
    assert (rerun.user, rerun.source, rerun.state) == (other_invoker, "api", InvocationState.QUEUED)
    assert (rerun.qualifier, rerun.client_timeout, bytes(rerun.event)) == ("prod", 9, b'{"a": 1}')


@pytest.mark.django_db
def test_an_async_rerun_gets_a_fresh_task_id(invoker, nowhere_profile):
    original = invocation_of(invoker, nowhere_profile, invocation_type="async", async_invocation_id="job_1")
    rerun = original.rerun(invoker)
    assert rerun.async_invocation_id and rerun.async_invocation_id != "job_1"


@pytest.mark.django_db
def test_a_viewer_cannot_rerun(invoker, viewer, nowhere_profile):
    with pytest.raises(PermissionDenied):
        invocation_of(invoker, nowhere_profile).rerun(viewer)


@pytest.mark.django_db
def test_the_s_invoke_command_sends_the_same_request(invoker, nowhere_profile):
    invocation = invocation_of(invoker, nowhere_profile, qualifier="prod", event=b'{"name": "it\'s me"}\n')
    command = invocation.s_invoke_command()
    assert shlex.split(command) == [
        "s", "invoke", "-a", "nowhere", "--region", "cn-hangzhou", "--service-name", "demo",
        "--function-name", "hello", "--qualifier", "prod", "-e", '{"name": "it\'s me"}\n',
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_s_invoke_command_of_an_async_call_keeps_a_chosen_task_id_only(invoker, nowhere_profile):
    chosen = invocation_of(invoker, nowhere_profile, invocation_type="async", async_invocation_id="job_1")
    generated = invocation_of(
        invoker, nowhere_profile, invocation_type="async", async_invocation_id="fcconsole-ab"
    )
    assert "--invocation-type async --stateful-async-invocation-id job_1" in chosen.s_invoke_command()
    assert "stateful-async-invocation-id" not in generated.s_invoke_command()


@pytest.mark.django_db
def test_the_s_invoke_command_of_an_http_call_sends_the_request_as_the_event(invoker, nowhere_profile):
    request = {"method": "GET", "path": "/hi"}
    command = invocation_of(invoker, nowhere_profile, event=b"", http_request=request).s_invoke_command()
    assert json.loads(shlex.split(command)[-1]) == request


@pytest.mark.django_db
def test_the_s_invoke_command_of_a_binary_event_names_a_file(invoker, nowhere_profile):
    assert (
        invocation_of(invoker, nowhere_profile, event=b"\xff")
        .s_invoke_command()
        .endswith("--event-file event.bin")
    )


# -- stop: who may, and what -----------------------------------------------------------------


@pytest.mark.django_db
def test_stopping_a_queued_row_cancels_it_without_calling_fc(invoker, nowhere_profile):
    invocation = invocation_of(invoker, nowhere_profile, invocation_type="async", async_invocation_id="job_1")
    invocation.stop(invoker)
    invocation.refresh_from_db()
    assert invocation.state == InvocationState.STOPPED
    assert invocation.stopped_by == invoker
    assert invocation.state_reason == "Stopped by ivan-invoker before it was sent to FC."
    entry = AuditEntry.objects.get(action="invocation.stopped")
    assert (entry.actor, entry.object_id) == (invoker, str(invocation.uuid))


@pytest.mark.django_db
def test_only_the_starter_or_an_admin_may_stop(invoker, other_invoker, viewer, admin, nowhere_profile):
    invocation = invocation_of(invoker, nowhere_profile, invocation_type="async", async_invocation_id="job_1")
    for user in (other_invoker, viewer):
        with pytest.raises(PermissionDenied):
            invocation.stop(user)
    invocation.stop(admin)
    invocation.refresh_from_db()
    assert invocation.stopped_by == admin


@pytest.mark.django_db
def test_a_finished_invocation_cannot_be_stopped(invoker, nowhere_profile):
    invocation = invocation_of(invoker, nowhere_profile, state=InvocationState.SUCCEEDED)
    with pytest.raises(
        ValidationError, match="Only a running async task can be stopped; this one is succeeded."
    ):
        invocation.stop(invoker)


@pytest.mark.django_db
def test_a_revoked_profile_cannot_be_used_to_stop(invoker, nowhere_profile):
    private = make_profile("private", "http://127.0.0.1:9000", all_invokers=False)
    invocation = invocation_of(invoker, private, invocation_type="async", async_invocation_id="job_1")
    with pytest.raises(PermissionDenied, match="no longer use the profile private"):
        invocation.stop(invoker)
