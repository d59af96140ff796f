"""`manage.py invoke` without `--service-name`: Serverless Devs 3.x `s invoke` (component fc3)
against fclocal's FC 3.0 demo (examples/fc3/s.yaml), output compared line by line with fc3's
layout (fc-api.md §10.5)."""

import json

import pytest

from invocations.models import Invocation
from tests.cliapi.cli import command_env, invoke
from tests.cliapi.conftest import make_fclocal_profile, make_profile

pytestmark = pytest.mark.django_db(transaction=True)

REGION = ("--region", "cn-hangzhou")
LOG_BEGIN = "========= FC invoke Logs begin ========="
LOG_END = "========= FC invoke Logs end ========="


@pytest.fixture
def demo(fclocal, invoker):
    """The `default` profile, aimed at fclocal and granted to the only invoker."""
    return make_fclocal_profile("default", fclocal, users=[invoker])


def lines(text: str) -> list[str]:
    return text.split("\n")


def test_a_sync_invoke_prints_the_fc3_layout_and_is_recorded(demo, invoker):
    run = invoke(*REGION, "--function-name", "hello", "-e", '{"hi": 1}')

    assert run.status == 0, run.stderr
    row = Invocation.objects.get()
    assert lines(run.stdout) == [
        LOG_BEGIN,
        *lines(row.log_tail),
        LOG_END,
        "",
        f"Invoke instanceId: {row.instance_id}",
        f"Code Checksum: {row.code_checksum}",
        "Qualifier: LATEST",
        f"RequestId: {row.request_id}",
        "",
        "Invoke Result:",
        '{"hi": 1}',
        "",
    ]
    assert row.instance_id and row.code_checksum and row.request_id
    assert f"FC Invoke End RequestId: {row.request_id}" in row.log_tail
    assert (row.service, row.function, row.source, row.user, row.state) == (
        "",
        "hello",
        "cli",
        invoker,
        "succeeded",
    )
    assert run.stderr == f"Recorded: http://127.0.0.1:8000/invocations/{row.uuid}/\n"


def test_an_alias_is_sent_as_the_qualifier_and_the_version_it_resolved_to_is_printed(demo):
    run = invoke(*REGION, "--function-name", "hello", "--qualifier", "prod", "-e", "x")

    assert run.status == 0, run.stderr
    assert "Qualifier: 1" in lines(run.stdout)
    assert Invocation.objects.get().qualifier == "prod"


def test_a_function_error_prints_its_type_before_the_result_and_exits_1(demo):
    run = invoke(*REGION, "--function-name", "fail", "-e", "{}")

    assert run.status == 1, run.stderr
    row = Invocation.objects.get()
    assert row.state == "failed" and row.error_type
    assert lines(run.stdout)[-6:] == [
        f"RequestId: {row.request_id}",
        f"Error Type: {row.error_type}",
        "",
        "Invoke Result:",
        bytes(row.response_body).decode(),
        "",
    ]
    assert "errorMessage" in json.loads(lines(run.stdout)[-2])


def test_an_async_invoke_prints_the_task_id_given(demo):
    run = invoke(
        *REGION,
        "--function-name",
        "async-job",
        "-e",
        '{"seconds": 1}',
        "--invocation-type",
        "Async",
        "--async-task-id",
        "cli-fc3-task-1",
    )

    assert run.status == 0, run.stderr
    row = Invocation.objects.get()
    assert lines(run.stdout) == [
        "Qualifier: LATEST",
        f"RequestId: {row.request_id}",
        "AsyncTaskId: cli-fc3-task-1",
        "",
        "Invoke Result:",
        "",
        "",
    ]
    assert (row.invocation_type, row.state, row.async_invocation_id) == (
        "async",
        "tracking",
        "cli-fc3-task-1",
    )


def test_an_async_invoke_without_a_task_id_prints_the_one_generated_to_track_it(demo):
    run = invoke(*REGION, "--function-name", "async-job", "--invocation-type", "Async")

    assert run.status == 0, run.stderr
    row = Invocation.objects.get()
    assert row.async_invocation_id.startswith("fcconsole-")
    assert lines(run.stdout)[:3] == [
        "Qualifier: LATEST",
        f"RequestId: {row.request_id}",
        f"AsyncTaskId: {row.async_invocation_id}",
    ]


def test_the_fc_spellings_of_the_async_flags_work_for_fc3_too(demo):
    run = invoke(
        *REGION,
        "--function-name",
        "async-job",
        "--invocation-type",
        "async",
        "--stateful-async-invocation-id",
        "cli-fc3-task-2",
        "-e",
        '{"seconds": 1}',
    )

    assert run.status == 0, run.stderr
    assert "AsyncTaskId: cli-fc3-task-2" in lines(run.stdout)


def test_timeout_is_how_long_fc3_waits(demo):
    run = invoke(*REGION, "--function-name", "hello", "--timeout", "30", "--silent")

    assert run.status == 0, run.stderr
    assert Invocation.objects.get().client_timeout == 30


def test_json_output_is_the_console_shape_without_a_service(demo):
    run = invoke(*REGION, "--function-name", "hello", "-e", "text", "-o", "json")

    assert run.status == 0, run.stderr
    data = json.loads(run.stdout)
    assert (data["service"], data["function"], data["response_body"], data["state"]) == (
        "",
        "hello",
        "text",
        "succeeded",
    )
    assert data["id"] == str(Invocation.objects.get().uuid)


def test_silent_prints_the_body_only(demo):
    run = invoke(*REGION, "--function-name", "hello", "-e", "just the body", "--silent")

    assert run.status == 0 and run.raw == b"just the body"


def test_an_unknown_function_prints_the_3_0_sdk_error_and_exits_2(demo):
    run = invoke(*REGION, "--function-name", "no-such-function")

    assert run.status == 2
    row = Invocation.objects.get()
    assert run.stdout == ""
    assert lines(run.stderr) == [
        f"code: 404, {row.error_message} request id: {row.request_id}",
        "ErrorCode: FunctionNotFound",
        f"Recorded: http://127.0.0.1:8000/invocations/{row.uuid}/",
        "",
    ]
    assert row.state == "error" and row.request_id and row.error_message


def test_debug_shows_the_acs3_request_with_the_signature_masked(demo, fclocal):
    run = invoke(*REGION, "--function-name", "hello", "-e", "dbg", "--debug")

    assert run.status == 0, run.stderr
    assert f"> POST {fclocal.url}/2023-03-30/functions/hello/invocations" in run.stderr
    authorization = next(line for line in lines(run.stderr) if line.lower().startswith("authorization: "))
    value = authorization.split(": ", 1)[1]
    assert value.startswith("ACS3-HMAC-SHA256 Credential=LTAI****oKey,SignedHeaders="), value
    assert "x-acs-signature-nonce" in value and value.endswith(",Signature=****")
    assert "< HTTP 200" in run.stderr
    assert fclocal.access_key_secret not in run.stderr + run.stdout


def test_debug_masks_the_sts_token(fclocal, invoker):
    token = "sts-token-never-printed-0123456789"
    make_profile(
        "default",
        endpoint=fclocal.url,
        account_id=fclocal.account_id,
        access_key_id=fclocal.access_key_id,
        secret=fclocal.access_key_secret,
        token=token,
        users=[invoker],
    )

    run = invoke(*REGION, "--function-name", "hello", "--debug")

    assert "x-acs-security-token: ****" in run.stderr.lower()
    assert token not in run.stderr + run.stdout
    assert "Signature=****" in run.stderr


def test_env_credentials_and_s_default_fc_endpoint_work_as_for_fc2(fclocal, invoker):
    env = command_env(
        AccountID=fclocal.account_id,
        AccessKeyID=fclocal.access_key_id,
        AccessKeySecret=fclocal.access_key_secret,
        s_default_enable_fc_endpoint="true",
        s_default_fc_endpoint=fclocal.url,
    )

    run = invoke(*REGION, "--function-name", "hello", "-e", "from env", env=env)

    assert run.status == 0, run.stderr
    row = Invocation.objects.get()
    assert row.profile.name.startswith(f"env-{fclocal.account_id}-")
    assert lines(run.stdout)[-3:] == ["Invoke Result:", "from env", ""]
    assert fclocal.access_key_secret not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--function-name", "hello"), "Region not specified, please specify --region"),
        (REGION, "functionName not specified, please specify --function-name"),
        (
            (*REGION, "--function-name", "hello", "--invocation-type", "ASYNC"),
            "Invalid 'invocationType': ASYNC. Allowed values are: Sync, Async",
        ),
        (
            (*REGION, "--function-name", "hello", "--async-task-id", "x"),
            "--async-task-id: An async task id only applies",
        ),
        ((*REGION, "--function-name", "1bad"), "--function-name: A function name uses letters"),
        ((*REGION, "--function-name", "hello", "-a", "nope"), "The access nope is not found."),
    ],
)
def test_usage_errors_exit_64_with_fc3s_message_and_record_nothing(demo, args, message):
    run = invoke(*args)

    assert run.status == 64
    assert message in run.stderr
    assert not Invocation.objects.exists()
