"""Re-run and stop, through core's Invocation.rerun / Invocation.stop."""

import pytest

from invocations.models import Invocation

pytestmark = pytest.mark.django_db


def test_rerun_queues_the_same_request_again(login, invoker, profile, make_invocation):
    source = make_invocation(invoker, profile, qualifier="prod", event=b'{"n": 1}', state="succeeded")
    response = login(invoker).post(f"/invocations/{source.uuid}/rerun")
    rerun = Invocation.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/invocations/{rerun.uuid}/"
    assert (rerun.rerun_of, rerun.state, rerun.qualifier, bytes(rerun.event)) == (
        source,
        "queued",
        "prod",
        b'{"n": 1}',
    )


def test_rerun_of_a_protected_profile_asks_for_the_function_name(login, invoker, profile, make_invocation):
    source = make_invocation(invoker, profile, state="succeeded")
    profile.protected = True
    profile.save()
    client = login(invoker)

    page = client.get(f"/invocations/{source.uuid}/").content.decode()
    assert 'name="confirm_function"' in page
    refused = client.post(f"/invocations/{source.uuid}/rerun", {"confirm_function": "hell"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "The profile demo is protected: type the function name “hello” to confirm." in html
    assert 'value="hell"' in html  # what was typed stays
    assert Invocation.objects.count() == 1

    confirmed = client.post(f"/invocations/{source.uuid}/rerun", {"confirm_function": "hello"})
    assert confirmed.status_code == 302
    assert Invocation.objects.count() == 2


def test_rerun_of_an_unprotected_profile_asks_nothing(login, invoker, profile, make_invocation):
    source = make_invocation(invoker, profile, state="succeeded")
    assert (
        'name="confirm_function"' not in login(invoker).get(f"/invocations/{source.uuid}/").content.decode()
    )


def test_rerun_with_a_profile_no_longer_allowed_says_why(
    login, other_invoker, invoker, profile, make_invocation
):
    source = make_invocation(invoker, profile, state="succeeded")
    client = login(other_invoker)
    response = client.post(f"/invocations/{source.uuid}/rerun", follow=True)
    assert "Could not re-run: You may not invoke with the profile demo." in response.content.decode()
    assert Invocation.objects.count() == 1


def test_viewers_cannot_rerun(login, viewer, invoker, profile, make_invocation):
    source = make_invocation(invoker, profile, state="succeeded")
    assert login(viewer).post(f"/invocations/{source.uuid}/rerun").status_code == 403
    assert Invocation.objects.count() == 1


def test_rerun_is_a_post(login, invoker, profile, make_invocation):
    source = make_invocation(invoker, profile, state="succeeded")
    assert login(invoker).get(f"/invocations/{source.uuid}/rerun").status_code == 405


def test_stop_cancels_a_queued_async_invocation(login, invoker, profile, make_invocation):
    inv = make_invocation(
        invoker, profile, invocation_type="async", async_invocation_id="job-1", state="queued"
    )
    response = login(invoker).post(f"/invocations/{inv.uuid}/stop", follow=True)
    inv.refresh_from_db()
    assert inv.state == "stopped"
    assert "Stop requested" in response.content.decode()


def test_stopping_a_finished_task_says_it_cannot(login, invoker, profile, make_invocation):
    inv = make_invocation(
        invoker, profile, invocation_type="async", async_invocation_id="job-1", state="succeeded"
    )
    html = login(invoker).post(f"/invocations/{inv.uuid}/stop", follow=True).content.decode()
    assert "Could not stop: Only a running async task can be stopped; this one is succeeded." in html


def test_only_the_starter_or_an_admin_may_stop(login, other_invoker, invoker, profile, make_invocation):
    profile.allowed_users.add(other_invoker)
    inv = make_invocation(
        invoker, profile, invocation_type="async", async_invocation_id="job-1", state="queued"
    )
    html = login(other_invoker).post(f"/invocations/{inv.uuid}/stop", follow=True).content.decode()
    assert "Could not stop: Only the person who started it or an admin may stop it." in html
    inv.refresh_from_db()
    assert inv.state == "queued"


def test_stop_asks_first(login, invoker, profile, make_invocation):
    inv = make_invocation(
        invoker, profile, service="", function="async-job", invocation_type="async", state="tracking"
    )
    html = login(invoker).get(f"/invocations/{inv.uuid}/").content.decode()
    stop_form = html.split(f'action="/invocations/{inv.uuid}/stop"')[1].split(">")[0]
    assert 'data-confirm="Stop this async task in FC? It cannot be resumed."' in stop_form
