""" "Copy as s invoke" for FC 3.0 rows: the fc3 component's command line (Serverless Devs 3.x);
2.0 rows keep the fc form (tests/core/test_invocation_model.py)."""

import shlex

import pytest

from invocations.models import Invocation


def fc3_invocation(user, profile, **fields) -> Invocation:
    values = dict(region="cn-hangzhou", service="", function="hello", event=b'{"a": 1}')
    return Invocation.objects.create(user=user, profile=profile, **{**values, **fields})


@pytest.mark.django_db
def test_a_3_0_row_gives_the_fc3_command_without_a_service(invoker, nowhere_profile):
    invocation = fc3_invocation(invoker, nowhere_profile, qualifier="prod", event=b'{"name": "it\'s me"}\n')

    assert shlex.split(invocation.s_invoke_command()) == [
        "s", "invoke", "-a", "nowhere", "--region", "cn-hangzhou",
        "--function-name", "hello", "--qualifier", "prod", "-e", '{"name": "it\'s me"}\n',
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_3_0_async_row_keeps_a_chosen_task_id_as_async_task_id(invoker, nowhere_profile):
    chosen = fc3_invocation(
        invoker, nowhere_profile, function="async-job", invocation_type="async", async_invocation_id="job_1"
    )

    assert shlex.split(chosen.s_invoke_command())[6:] == [
        "--function-name", "async-job", "--invocation-type", "Async", "--async-task-id", "job_1",
        "-e", '{"a": 1}',
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_3_0_async_row_leaves_out_a_task_id_the_console_generated(invoker, nowhere_profile):
    generated = fc3_invocation(
        invoker, nowhere_profile, invocation_type="async", async_invocation_id="fcconsole-ab", event=b""
    )

    assert generated.s_invoke_command().endswith("--function-name hello --invocation-type Async")


@pytest.mark.django_db
def test_a_3_0_row_with_a_binary_event_names_a_file(invoker, nowhere_profile):
    command = fc3_invocation(invoker, nowhere_profile, event=b"\xff").s_invoke_command()

    assert command.endswith("--event-file event.bin")
    assert "--service-name" not in command


@pytest.mark.django_db
def test_a_3_0_http_row_says_fc3_sends_the_request_as_an_event(invoker, nowhere_profile):
    request = {"method": "GET", "path": "/hi"}
    command = fc3_invocation(invoker, nowhere_profile, event=b"", http_request=request).s_invoke_command()

    args = shlex.split(command, comments=True)
    assert args[-2:] == ["-e", '{"method": "GET", "path": "/hi"}']
    assert command.endswith(
        "# s invoke (fc3) sends this as an event; the console sent it through the HTTP trigger"
    )


@pytest.mark.django_db
def test_a_2_0_row_keeps_the_fc_form(invoker, nowhere_profile):
    row = fc3_invocation(
        invoker, nowhere_profile, service="demo", invocation_type="async", async_invocation_id="job_1"
    )

    assert "--service-name demo --function-name hello --invocation-type async" in row.s_invoke_command()
    assert "--stateful-async-invocation-id job_1" in row.s_invoke_command()
