"""History and audit exports: streamed, every row, CSV that survives any payload, JSON Lines."""

import base64
import csv
import datetime as dt
import io
import json

import pytest

import audit
from audit.models import AuditEntry
from invocations import exports
from invocations.models import Invocation
from tests.history.conftest import make_invocation, make_profile

TRICKY = 'hello, "world"\nsecond line, ünïcödé ✓ 你好'


def body(response) -> str:
    assert response.streaming, "exports must stream"
    return b"".join(response.streaming_content).decode("utf-8")


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response), newline="")))


def read_jsonl(response) -> list[dict]:
    return [json.loads(line) for line in body(response).splitlines()]


@pytest.fixture
def history(invoker, profile):
    first = make_invocation(invoker, profile, event=TRICKY.encode(), response_body=b"\xff\xfe\x00binary")
    second = make_invocation(
        invoker, profile, function="resize", state="failed", error_type="UnhandledInvocationError"
    )
    return [first, second]


@pytest.mark.django_db
def test_history_csv_streams_every_row_in_time_order(as_user, viewer, history):
    response = as_user(viewer).get("/team/history.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="history-')
    rows = read_csv(response)
    assert [r["id"] for r in rows] == [str(i.uuid) for i in history]
    assert rows[1]["function"] == "resize" and rows[1]["error_type"] == "UnhandledInvocationError"
    assert rows[0]["user"] == "ivan-invoker" and rows[0]["profile"] == "prod"
    assert "event" not in rows[0], "payloads only when asked"


@pytest.mark.django_db
def test_history_csv_with_payload_round_trips_commas_quotes_newlines_and_unicode(as_user, viewer, history):
    rows = read_csv(as_user(viewer).get("/team/history.csv?payload=1"))
    assert rows[0]["event"] == TRICKY and rows[0]["event_encoding"] == "utf-8"
    assert rows[0]["response_body_encoding"] == "base64"
    assert base64.b64decode(rows[0]["response_body"]) == b"\xff\xfe\x00binary"


@pytest.mark.django_db
def test_history_jsonl_with_payload_has_one_object_per_line(as_user, viewer, history):
    rows = read_jsonl(as_user(viewer).get("/team/history.jsonl?payload=1"))
    assert len(rows) == 2
    assert rows[0]["event"] == TRICKY and rows[0]["id"] == str(history[0].uuid)
    assert base64.b64decode(rows[0]["response_body"]) == b"\xff\xfe\x00binary"
    assert rows[1]["state"] == "failed" and rows[1]["event_encoding"] == "utf-8"


@pytest.mark.django_db
def test_history_export_filters_by_function_and_state(as_user, viewer, history):
    rows = read_jsonl(as_user(viewer).get("/team/history.jsonl?function=resize&state=failed"))
    assert [r["id"] for r in rows] == [str(history[1].uuid)]


@pytest.mark.django_db
def test_history_export_takes_the_history_pages_query_string(as_user, viewer, invoker, history):
    other = make_invocation(invoker, make_profile("staging"), request_id="req-42", invocation_type="async")
    query = f"profile={other.profile.uuid}&request_id=req-42&invocation_type=async&cursor=ignored"
    rows = read_jsonl(as_user(viewer).get(f"/team/history.jsonl?{query}"))
    assert [r["id"] for r in rows] == [str(other.uuid)]


@pytest.mark.django_db
def test_history_export_filters_by_user_as_the_history_page_does(as_user, viewer, invoker, history):
    make_invocation(viewer, history[0].profile)
    rows = read_jsonl(as_user(viewer).get(f"/team/history.jsonl?user={invoker.username}"))
    assert [r["id"] for r in rows] == [str(i.uuid) for i in history]
    response = as_user(viewer).get("/team/history.jsonl?user=nobody-of-that-name")
    assert response.status_code == 400 and "No user is called" in response.content.decode()


@pytest.mark.django_db
def test_history_export_rejects_a_bad_filter_with_a_clear_error(as_user, viewer, history):
    response = as_user(viewer).get("/team/history.csv?since=yesterday-ish&state=bogus&profile=not-a-uuid")
    assert response.status_code == 400
    text = response.content.decode()
    assert "since:" in text and "state:" in text and "profile:" in text


@pytest.mark.django_db
def test_a_history_export_is_itself_recorded(as_user, viewer, history):
    as_user(viewer).get("/team/history.csv?service=demo&payload=1")
    entry = AuditEntry.objects.filter(action="history.exported").get()
    assert entry.actor == viewer
    assert entry.after == {"format": "csv", "filters": {"service": "demo", "payload": True}}


@pytest.mark.django_db
def test_history_export_streams_thousands_of_rows_across_cursor_chunks(as_user, viewer, invoker, profile):
    Invocation.objects.bulk_create(
        Invocation(
            user=invoker,
            profile=profile,
            region="cn-hangzhou",
            service="demo",
            function=f"f{i}",
            state="succeeded",
        )
        for i in range(2500)
    )
    response = as_user(viewer).get("/team/history.csv")
    chunks = list(response.streaming_content)
    assert len(chunks) > 1, "rows leave in chunks, not as one body"
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert len(rows) == 2500 and {r["function"] for r in rows} == {f"f{i}" for i in range(2500)}


@pytest.mark.django_db
def test_audit_export_csv_and_jsonl_carry_the_chain(as_user, admin):
    audit.record("test.note", after={"text": TRICKY})
    rows = read_csv(as_user(admin).get("/team/audit.csv?action=test.note"))
    assert len(rows) == 1
    assert json.loads(rows[0]["after"]) == {"text": TRICKY}
    entry = AuditEntry.objects.get(action="test.note")
    assert (rows[0]["hash"], rows[0]["prev_hash"]) == (entry.hash, entry.prev_hash)
    lines = read_jsonl(as_user(admin).get("/team/audit.jsonl?action=test."))
    assert [line["action"] for line in lines] == ["test.note"]


@pytest.mark.django_db
def test_history_rows_are_the_invocations_one_json_shape(as_user, viewer, history):
    with_payload = read_jsonl(as_user(viewer).get("/team/history.jsonl?payload=1"))
    history[0].refresh_from_db()
    assert with_payload[0] == json.loads(json.dumps(history[0].to_dict()))
    rows = read_csv(as_user(viewer).get("/team/history.csv?payload=1"))
    assert list(rows[0]) == list(history[0].to_dict())


@pytest.fixture
def everything_set(invoker, admin, profile, history):
    """A re-run, stopped by someone else, with every timestamp, number and JSON payload filled."""
    utc = dt.UTC
    invocation = make_invocation(
        invoker,
        profile,
        rerun_of=history[0],
        invocation_type="async",
        async_invocation_id="task-1",
        state="stopped",
        state_reason="stopped by alice-admin",
        attempts=2,
        client_timeout=30,
        http_request={"method": "POST", "path": "/ünï", "headers": {"x": ["1", "2"]}},
        response_body=b'{"ok": true}',
        response_headers={"Content-Type": "application/json", "n": 1.5},
        log_tail="line one\nline two",
        http_status=202,
        duration_ms=12.5,
        billed_duration_ms=13,
        memory_size_mb=128,
        max_memory_used_mb=1e20,
        error_message='bad, "quoted"\nsecond line',
        stopped_by=admin,
    )
    Invocation.objects.filter(pk=invocation.pk).update(
        # Python's isoformat() leaves out a zero fraction; the export must too.
        created_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=utc),
        sent_at=dt.datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=utc),
        started_at=dt.datetime(2026, 1, 2, 3, 4, 6, 120000, tzinfo=utc),
        finished_at=dt.datetime(2026, 1, 2, 3, 4, 7, 999999, tzinfo=utc),
        stop_requested_at=dt.datetime(2026, 1, 2, 3, 4, 6, tzinfo=utc),
    )
    invocation.refresh_from_db()
    return invocation


def csv_text(value) -> str:
    """A to_dict() value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@pytest.mark.parametrize("payload", ["", "?payload=1"])
@pytest.mark.django_db
def test_history_export_writes_every_field_as_to_dict_does(as_user, viewer, everything_set, payload):
    expected = [json.loads(json.dumps(i.to_dict())) for i in Invocation.objects.order_by("created_at", "id")]
    if not payload:
        hidden = {"event", "event_encoding", "response_body", "response_body_encoding", "http_request"}
        hidden |= {"response_headers", "request_headers", "log_tail"}
        expected = [{k: v for k, v in row.items() if k not in hidden} for row in expected]
    assert expected[0]["id"] == str(everything_set.uuid), "the fixed created_at sorts it first"
    assert read_jsonl(as_user(viewer).get(f"/team/history.jsonl{payload}")) == expected
    rows = read_csv(as_user(viewer).get(f"/team/history.csv{payload}"))
    assert rows == [{k: csv_text(v) for k, v in row.items()} for row in expected]


@pytest.mark.django_db
def test_history_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(as_user, viewer, invoker, profile):
    make_invocation(
        invoker,
        profile,
        event=b'=HYPERLINK("http://evil.example")',
        error_message="+1+2",
        error_code="-3",
        request_id="@SUM(1)",
        state_reason="\tindented",
        duration_ms=-1.5,
    )
    row = read_csv(as_user(viewer).get("/team/history.csv?payload=1"))[0]
    assert row["event"] == '\'=HYPERLINK("http://evil.example")'
    assert (row["error_message"], row["error_code"], row["request_id"]) == ("'+1+2", "'-3", "'@SUM(1)")
    assert row["state_reason"] == "'\tindented"
    assert row["duration_ms"] == "-1.5", "a number is not a formula"
    line = read_jsonl(as_user(viewer).get("/team/history.jsonl?payload=1"))[0]
    assert line["event"].startswith("=HYPERLINK") and line["error_message"] == "+1+2", "JSON Lines as stored"


def test_csv_cells_are_text_numbers_or_json():
    lines = "".join(
        exports.csv_lines(["a", "b", "c", "d", "e", "f"], [("=x", -2, None, True, {"k": [1]}, "a,b")])
    )
    assert lines == 'a,b,c,d,e,f\r\n\'=x,-2,,true,"{""k"": [1]}","a,b"\r\n'


@pytest.mark.django_db
def test_history_without_payload_reads_no_payload_column(
    as_user, viewer, history, django_assert_max_num_queries
):
    client = as_user(viewer)
    with django_assert_max_num_queries(12):
        rows = read_jsonl(client.get("/team/history.jsonl"))
    assert len(rows) == 2
    assert not set(rows[0]) & {"event", "response_body", "log_tail", "http_request", "response_headers"}


@pytest.mark.django_db
def test_unknown_export_formats_are_not_found(as_user, admin):
    assert as_user(admin).get("/team/audit.xlsx").status_code == 404
    assert as_user(admin).get("/team/history.xml").status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 403), ("viewer", 200), ("invoker", 200), ("admin", 200)],
)
@pytest.mark.django_db
def test_history_export_is_for_viewers_and_up(request, as_user, persona, expected):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    assert as_user(user).get("/team/history.jsonl").status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 403), ("viewer", 403), ("invoker", 403), ("admin", 200)],
)
@pytest.mark.django_db
def test_audit_export_is_for_admins(request, as_user, persona, expected):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    assert as_user(user).get("/team/audit.csv").status_code == expected
