"""Invocation.objects.submit: who may invoke, what is checked, what is written and sent."""

import pytest
from celery.signals import before_task_publish
from django.core.exceptions import PermissionDenied, ValidationError

from invocations.models import Invocation, InvocationState
from tests.core.conftest import DEMO_SECRET, make_profile


def submit(user, profile, **changes):
    fields = dict(region="cn-hangzhou", service="demo", function="hello", event=b'{"a": 1}')
    return Invocation.objects.submit(user=user, profile=profile, **{**fields, **changes})


@pytest.fixture
def published():
    """Every task message this process publishes: (body, headers)."""
    messages = []

    def record(body=None, headers=None, **kwargs):
        messages.append((body, headers))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


@pytest.mark.django_db
def test_it_writes_the_row_queued_with_every_target_field(invoker, nowhere_profile):
    invocation = submit(
        invoker, nowhere_profile, qualifier="prod", client_timeout=30, source="api", event='{"ü": 1}'
    )
    invocation.refresh_from_db()
    assert invocation.state == InvocationState.QUEUED
    assert (invocation.user, invocation.profile, invocation.source) == (invoker, nowhere_profile, "api")
    assert (invocation.region, invocation.service, invocation.qualifier) == ("cn-hangzhou", "demo", "prod")
    assert (invocation.function, invocation.invocation_type, invocation.client_timeout) == (
        "hello",
        "sync",
        30,
    )
    assert bytes(invocation.event) == '{"ü": 1}'.encode()


@pytest.mark.django_db
def test_the_region_defaults_to_the_profiles(invoker, nowhere_profile):
    nowhere_profile.default_region = "ap-southeast-1"
    nowhere_profile.save()
    assert submit(invoker, nowhere_profile, region="").region == "ap-southeast-1"


@pytest.mark.django_db
def test_it_sends_a_task_carrying_only_the_pk_once_committed(
    invoker, nowhere_profile, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invocation = submit(invoker, nowhere_profile)
        assert published == []  # nothing leaves before the row is committed
    assert len(callbacks) == 1
    ((body, headers),) = published
    args, kwargs, _ = body
    assert (list(args), kwargs) == ([invocation.pk], {})
    assert headers["task"] == "invocations.invoke"
    assert DEMO_SECRET not in repr(body) + repr(headers)
    assert '"a"' not in repr(body)  # the payload stays in the database
    invocation.refresh_from_db()
    assert invocation.sent_at is not None and invocation.celery_task_id == headers["id"]
    assert invocation.send_attempts == 1


@pytest.mark.django_db
def test_it_generates_an_async_task_id_when_none_is_given(invoker, nowhere_profile):
    invocation = submit(invoker, nowhere_profile, invocation_type="async")
    assert invocation.async_invocation_id.startswith("fcconsole-")


@pytest.mark.django_db
def test_it_keeps_the_async_task_id_given(invoker, nowhere_profile):
    invocation = submit(invoker, nowhere_profile, invocation_type="async", async_invocation_id="nightly_1")
    assert invocation.async_invocation_id == "nightly_1"


@pytest.mark.django_db
def test_it_refuses_a_viewer(viewer, nowhere_profile):
    with pytest.raises(PermissionDenied):
        submit(viewer, nowhere_profile)
    assert not Invocation.objects.exists()


@pytest.mark.django_db
def test_it_refuses_someone_without_a_role(outsider, nowhere_profile):
    with pytest.raises(PermissionDenied):
        submit(outsider, nowhere_profile)


@pytest.mark.django_db
def test_it_refuses_a_profile_not_granted_to_the_invoker(invoker, other_invoker):
    private = make_profile("private", "http://127.0.0.1:9000", all_invokers=False)
    private.allowed_users.add(other_invoker)
    with pytest.raises(PermissionDenied, match="You may not invoke with the profile private."):
        submit(invoker, private)
    assert submit(other_invoker, private).state == InvocationState.QUEUED


@pytest.mark.django_db
def test_an_admin_may_use_any_profile(admin):
    private = make_profile("private", "http://127.0.0.1:9000", all_invokers=False)
    assert submit(admin, private).state == InvocationState.QUEUED


@pytest.mark.django_db
def test_bad_input_gets_field_keyed_errors_and_writes_nothing(invoker, nowhere_profile):
    with pytest.raises(ValidationError) as err:
        submit(invoker, nowhere_profile, function="bad.name", invocation_type="async", event=b"x" * 200_000)
    assert set(err.value.message_dict) == {"function", "event"}
    assert not Invocation.objects.exists()


@pytest.mark.django_db
def test_a_protected_profile_is_refused_without_the_function_name_whatever_the_source(
    invoker, nowhere_profile
):
    nowhere_profile.protected = True
    nowhere_profile.save()

    for source in ("web", "api", "cli"):
        for typed in (None, "", "hell", "other"):
            with pytest.raises(ValidationError) as refused:
                submit(invoker, nowhere_profile, source=source, confirm_function=typed)
            assert refused.value.message_dict == {
                "confirm_function": [
                    f"The profile {nowhere_profile.name} is protected: type the function name “hello” to confirm."
                ]
            }
    assert not Invocation.objects.exists()
    assert submit(invoker, nowhere_profile, confirm_function="hello").function == "hello"


@pytest.mark.django_db
def test_an_unprotected_profile_ignores_the_confirmation(invoker, nowhere_profile):
    assert submit(invoker, nowhere_profile, confirm_function=None).pk
