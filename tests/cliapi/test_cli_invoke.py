"""`manage.py invoke` as a subprocess against fclocal: s invoke's flags, output and exit codes,
and every run recorded in the history."""

import json
import re

import pytest
from cryptography.fernet import Fernet

from invocations.models import Invocation
from tests.cliapi.cli import command_env, invoke
from tests.cliapi.conftest import make_fclocal_profile

pytestmark = pytest.mark.django_db(transaction=True)

TARGET = ("--region", "cn-hangzhou", "--service-name", "demo")
LOG_BEGIN = "========= FC invoke Logs begin ========="
LOG_END = "========= FC invoke Logs end ========="


@pytest.fixture
def demo(fclocal, invoker):
    """The `default` profile, aimed at fclocal and granted to the only invoker."""
    return make_fclocal_profile("default", fclocal, users=[invoker])


def test_a_sync_invoke_prints_the_s_invoke_layout_and_is_recorded(demo, invoker):
    run = invoke(*TARGET, "--function-name", "hello", "-e", '{"hi": 1}')

    assert run.status == 0, run.stderr
    row = Invocation.objects.get()
    assert run.stdout == (
        f"\n{LOG_BEGIN}\n{row.log_tail}\n{LOG_END}\n\n"
        f'FC Invoke instanceId: {row.instance_id}\n\nFC Invoke Result:\n{{"hi": 1}}\n\n\n'
    )
    assert f"FC Invoke End RequestId: {row.request_id}\n" in row.log_tail
    assert re.search(r"Duration: [\d.]+ ms, Billed Duration: \d+ ms, Memory Size: 128 MB", row.log_tail)
    assert (row.source, row.user, row.profile, row.state) == ("cli", invoker, demo, "succeeded")
    assert not row.celery_task_id  # run in this process: no task was queued
    assert run.stderr == f"Recorded: http://127.0.0.1:8000/invocations/{row.uuid}/\n"


def test_the_recorded_link_uses_site_url(demo):
    run = invoke(*TARGET, "--function-name", "hello", env=command_env(SITE_URL="https://fc.example.com/"))

    assert run.status == 0, run.stderr
    assert run.stderr == f"Recorded: https://fc.example.com/invocations/{Invocation.objects.get().uuid}/\n"


def test_an_async_invoke_prints_the_request_id_and_the_row_tracks_the_task(demo):
    run = invoke(
        *TARGET,
        "--function-name",
        "stateful-job",
        "-e",
        '{"seconds": 1}',
        "--invocation-type",
        "async",
        "--stateful-async-invocation-id",
        "cli-task-1",
    )

    assert run.status == 0, run.stderr
    row = Invocation.objects.get()
    assert run.stdout == f"\ndemo/stateful-job async invoke success.\nrequest id: {row.request_id}\n"
    assert (row.invocation_type, row.state, row.async_invocation_id) == ("async", "tracking", "cli-task-1")


def test_fc3_spellings_of_the_async_flags_are_accepted(demo):
    run = invoke(
        *TARGET, "--function-name", "stateful-job", "--invocation-type", "Async", "--async-task-id", "t-2"
    )

    assert run.status == 0, run.stderr
    assert Invocation.objects.get().async_invocation_id == "t-2"


def test_a_function_with_an_http_trigger_takes_the_event_as_the_request(demo):
    event = {"method": "POST", "path": "/items", "queries": {"a": "1"}, "body": "payload"}

    run = invoke(*TARGET, "--function-name", "http-hello", "-e", json.dumps(event))

    assert run.status == 0, run.stderr
    row = Invocation.objects.get()
    head, body = run.stdout.split("FC Invoke Result[Code: 200]:\n")
    assert head.startswith(f"\nRequest url: {row.request_url}\n")
    assert json.loads(body)["method"] == "POST" and json.loads(body)["body"] == "payload"
    assert body.endswith("\n\n\n")
    assert row.http_request == event and bytes(row.event) == b""


def test_an_http_function_needs_a_json_event(demo):
    run = invoke(*TARGET, "--function-name", "http-hello", "-e", "not json")

    assert run.status == 64
    assert "handler event error, JSON format required." in run.stderr
    assert not Invocation.objects.exists()


def test_a_function_error_prints_the_error_as_the_result_and_exits_1(demo):
    run = invoke(*TARGET, "--function-name", "fail")

    assert run.status == 1
    result = json.loads(run.stdout.split("FC Invoke Result:\n")[1])
    assert "errorMessage" in result
    assert Invocation.objects.get().state == "failed"


def test_an_fc_error_prints_the_sdk_line_and_exits_2(demo):
    run = invoke(*TARGET, "--function-name", "no-such-function")

    assert run.status == 2
    row = Invocation.objects.get()
    assert run.stdout == ""
    assert run.stderr == (
        f"POST /2016-08-15/services/demo/functions/no-such-function/invocations failed with 404. "
        f"requestid: {row.request_id}, message: {row.error_message}.\nErrorCode: FunctionNotFound\n"
        f"Recorded: http://127.0.0.1:8000/invocations/{row.uuid}/\n"
    )
    assert row.state == "error"


def test_json_output_is_the_console_shape(demo):
    run = invoke(*TARGET, "--function-name", "hello", "-e", "text", "-o", "json")

    assert run.status == 0
    data = json.loads(run.stdout)
    row = Invocation.objects.get()
    assert data["id"] == str(row.uuid)
    assert (data["response_body"], data["state"], data["source"]) == ("text", "succeeded", "cli")


def test_silent_prints_the_body_only(demo):
    run = invoke(*TARGET, "--function-name", "hello", "-e", "just the body", "--silent")

    assert run.status == 0 and run.raw == b"just the body"


def test_an_event_file_is_sent_whole_with_its_newlines(demo, tmp_path):
    event = tmp_path / "event.json"
    event.write_bytes(b'{\n  "a": 1\n}\n')

    run = invoke(*TARGET, "--function-name", "hello", "-f", str(event), "--silent")

    assert run.raw == b'{\n  "a": 1\n}\n'
    assert bytes(Invocation.objects.get().event) == b'{\n  "a": 1\n}\n'


def test_stdin_is_read_whole_with_s(demo):
    run = invoke(*TARGET, "--function-name", "hello", "-s", "--silent", stdin=b"line 1\nline 2\n")

    assert run.raw == b"line 1\nline 2\n"


def test_debug_shows_the_signed_request_and_the_raw_response_with_secrets_masked(demo, fclocal):
    run = invoke(*TARGET, "--function-name", "hello", "-e", "dbg", "--debug")

    assert run.status == 0
    assert f"> POST {fclocal.url}/2016-08-15/services/demo/functions/hello/invocations" in run.stderr
    assert "Authorization: FC LTAI****oKey:****" in run.stderr
    assert "< HTTP 200" in run.stderr and "X-Fc-Request-Id" in run.stderr.replace(
        "x-fc-request-id", "X-Fc-Request-Id"
    )
    assert fclocal.access_key_secret not in run.stderr + run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--service-name", "demo", "--function-name", "hello"),
            "region/service-name/function-name can not be empty.",
        ),
        (
            (*TARGET, "--function-name", "hello", "-e", "x", "-s"),
            "event | event-file | event-stdin must choose one.",
        ),
        (
            (*TARGET, "--function-name", "hello", "--invocation-type", "ASYNC"),
            "invocation-type enum value sync, async.",
        ),
        (
            (*TARGET, "--function-name", "hello", "-f", "/nonexistent/e.json"),
            'Cannot find event-file "/nonexistent/e.json".',
        ),
        ((*TARGET, "--function-name", "hello", "-a", "nope"), "The access nope is not found."),
        ((*TARGET, "--function-name", "1bad"), "--function-name: A function name uses letters"),
        (
            (*TARGET, "--function-name", "hello", "--stateful-async-invocation-id", "x"),
            "--stateful-async-invocation-id: An async task id only applies",
        ),
        ((*TARGET, "--function-name", "hello", "--timeout", "soon"), "argument --timeout: invalid int value"),
        ((*TARGET, "--function-name", "hello", "--no-such-flag"), "unrecognized arguments: --no-such-flag"),
    ],
)
def test_usage_errors_exit_64_with_s_invokes_message_and_record_nothing(demo, args, message):
    run = invoke(*args)

    assert run.status == 64
    assert message in run.stderr
    assert not Invocation.objects.exists()


def test_a_protected_profile_needs_confirm_function(demo):
    demo.protected = True
    demo.save()

    refused = invoke(*TARGET, "--function-name", "hello")
    assert refused.status == 64
    assert (
        "--confirm-function: The profile default is protected: type the function name “hello” to confirm."
        in refused.stderr
    )
    assert not Invocation.objects.exists()
    confirmed = invoke(*TARGET, "--function-name", "hello", "--confirm-function", "hello")
    assert confirmed.status == 0, confirmed.stderr
    assert Invocation.objects.get().state == "succeeded"


def test_as_user_is_needed_when_several_users_may_use_the_profile(demo, other_invoker):
    demo.allowed_users.add(other_invoker)

    ambiguous = invoke(*TARGET, "--function-name", "hello")
    chosen = invoke(*TARGET, "--function-name", "hello", "--as-user", other_invoker.username)

    assert ambiguous.status == 64 and "--as-user is required" in ambiguous.stderr
    assert chosen.status == 0
    assert Invocation.objects.get().user == other_invoker


def test_a_user_not_allowed_the_profile_is_refused(demo, viewer, other_invoker):
    as_viewer = invoke(*TARGET, "--function-name", "hello", "--as-user", viewer.username)
    as_other = invoke(*TARGET, "--function-name", "hello", "--as-user", other_invoker.username)

    assert as_viewer.status == 64 and "This needs the invoker role." in as_viewer.stderr
    assert as_other.status == 64 and "You may not invoke with the profile default." in as_other.stderr
    assert not Invocation.objects.exists()


def test_env_credentials_win_and_become_an_adhoc_profile_stored_encrypted(demo, fclocal, invoker):
    env = command_env(
        AccountID=fclocal.account_id,
        AccessKeyID=fclocal.access_key_id,
        AccessKeySecret=fclocal.access_key_secret,
        s_default_enable_fc_endpoint="true",
        s_default_fc_endpoint=fclocal.url,
    )

    first = invoke(*TARGET, "--function-name", "hello", "-a", "nope", "-o", "json", env=env)
    second = invoke(*TARGET, "--function-name", "hello", env=env)

    assert first.status == 0 and second.status == 0, first.stderr + second.stderr
    rows = list(Invocation.objects.order_by("id"))
    profile = rows[0].profile
    assert rows[1].profile == profile != demo
    assert profile.name.startswith(f"env-{fclocal.account_id}-")
    assert list(profile.allowed_users.all()) == [invoker]
    assert profile.access_key_secret() == fclocal.access_key_secret
    assert fclocal.access_key_secret not in profile.access_key_secret_encrypted
    assert fclocal.access_key_secret not in first.stdout + first.stderr + second.stdout + second.stderr


def test_help_says_files_and_stdin_keep_their_newlines():
    run = invoke("--help")

    assert run.status == 0
    assert "newlines kept" in " ".join(run.stdout.split())


def test_a_profile_whose_secret_cannot_be_decrypted_is_recorded_as_an_error(demo):
    demo.access_key_secret_encrypted = Fernet(Fernet.generate_key()).encrypt(b"other key").decode()
    demo.save()

    run = invoke(*TARGET, "--function-name", "hello")

    assert run.status == 2
    row = Invocation.objects.get()
    assert row.state == "error"
    assert (
        run.stderr == f"Error: {row.state_reason}\nRecorded: http://127.0.0.1:8000/invocations/{row.uuid}/\n"
    )
    assert "cannot be used" in row.state_reason


def test_the_database_unreachable_is_said_in_plain_words_and_nothing_is_invoked():
    # A database where nothing listens, its URL carrying a password that must not be printed.
    env = command_env(
        DATABASE_URL="postgres://postgres:pw-Xq81-never-shown@127.0.0.1:1/fcconsole", DB_CONNECT_TIMEOUT="1"
    )
    run = invoke("--region", "cn-hangzhou", "--function-name", "hello", "-e", "{}", env=env)
    assert run.status == 69, run.stderr[-2000:]
    assert "The console's database cannot be reached" in run.stderr
    assert "nothing was recorded and no function was invoked" in run.stderr
    assert "Traceback" not in run.stderr
    assert "pw-Xq81-never-shown" not in run.stdout + run.stderr


@pytest.fixture
def database_fails():
    """`fail(step)`: from now on PostgreSQL refuses that step of a row's way with the SQLSTATE of a
    lost connection (08006), as it reaches a client whose database went away: the claim
    (queued -> running) or the finish (running -> an end). A trigger, dropped after the test."""
    from django.db import connection

    steps = {
        "claim": "OLD.state = 'queued' AND NEW.state = 'running'",
        "finish": "OLD.state = 'running' AND NEW.state <> 'running'",
    }

    def fail(step: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION fcc_test_away() RETURNS trigger AS $$ BEGIN "
                f"IF {steps[step]} THEN RAISE EXCEPTION 'terminating connection' USING ERRCODE = '08006'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER fcc_test_away BEFORE UPDATE ON invocations_invocation "
                "FOR EACH ROW EXECUTE FUNCTION fcc_test_away()"
            )

    yield fail
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS fcc_test_away ON invocations_invocation")
        cursor.execute("DROP FUNCTION IF EXISTS fcc_test_away()")


def test_a_database_lost_before_the_call_says_the_row_waits_queued_for_a_worker(
    demo, fclocal, database_fails
):
    before = fclocal.calls("hello")
    database_fails("claim")
    run = invoke(*TARGET, "--function-name", "hello", "-e", "{}")

    assert run.status == 69, run.stderr[-2000:]
    row = Invocation.objects.get()
    assert (row.state, row.sent_at, row.attempts) == ("queued", None, 0)
    assert "The console's database went away before the call started" in run.stderr
    assert f"Recorded: http://127.0.0.1:8000/invocations/{row.uuid}/, queued and not run" in run.stderr
    assert "Do not run the command again." in run.stderr
    assert "Traceback" not in run.stderr
    assert fclocal.calls("hello") == before  # nothing reached FC


def test_a_result_the_database_cannot_take_is_said_and_the_row_left_to_the_sweep(demo, database_fails):
    database_fails("finish")
    run = invoke(*TARGET, "--function-name", "hello", "-e", "{}", env=command_env(FC_RUNNING_GRACE="1"))

    assert run.status == 69, run.stderr[-2000:]
    row = Invocation.objects.get()
    assert row.state == "running"  # the sweep ends it `unknown` past its timeout and the grace
    assert "FC was called, but the console's database stayed unreachable" in run.stderr
    assert f"Recorded: http://127.0.0.1:8000/invocations/{row.uuid}/, where it ends `unknown`" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_database_lost_at_another_step_does_not_claim_that_fc_was_called(demo, fclocal, database_fails):
    # The profile's secret cannot be opened, so FC is never called; ending the row so fails.
    demo.access_key_secret_encrypted = Fernet(Fernet.generate_key()).encrypt(b"other key").decode()
    demo.save()
    before = fclocal.calls("hello")
    database_fails("finish")

    run = invoke(*TARGET, "--function-name", "hello", "-e", "{}")

    assert run.status == 69, run.stderr[-2000:]
    row = Invocation.objects.get()
    assert row.state == "running"  # claimed; the sweep ends it past its timeout
    assert "FC was called" not in run.stderr
    assert "The console's database went away while the call was handled" in run.stderr
    assert f"Recorded: http://127.0.0.1:8000/invocations/{row.uuid}/: look there" in run.stderr
    assert "Traceback" not in run.stderr
    assert fclocal.calls("hello") == before
