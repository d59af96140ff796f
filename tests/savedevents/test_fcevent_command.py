"""`manage.py fcevent`: writes event-template/<file>.json like `s cli fc-event`, or prints with `-`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command("fcevent", *args, stdout=out, **options)
    return out.getvalue()


def test_it_writes_the_oss_event_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = run("oss", bucket="photos", key="in/cat.jpg")
    path = tmp_path / "event-template" / "oss-event.json"
    record = json.loads(path.read_text())["events"][0]
    assert record["oss"]["bucket"]["name"] == "photos"
    assert record["oss"]["object"]["key"] == "in/cat.jpg"
    assert "event-template/oss-event.json" in out


@pytest.mark.parametrize(
    ("args", "filename"),
    [
        (("http",), "http-parameter.json"),
        (("sls",), "sls-event.json"),
        (("tablestore",), "tablestore-event.json"),
        (("timer",), "timer-event.json"),
        (("kafka",), "kafka-event.json"),
        (
            ("mns", "--shape", "stream-without-message-attributes"),
            "mns-stream-without-message-attributes.json",
        ),
        (("cdn", "--event-name", "CdnDomainAdded"), "cdn-CdnDomainAdded.json"),
    ],
)
def test_it_names_files_like_fc_event(tmp_path, args, filename):
    run(*args, "--dir", str(tmp_path))
    assert (tmp_path / filename).exists()


def test_dash_prints_the_event_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = run("timer", "-", "--payload", "nightly-run")
    assert json.loads(out)["payload"] == "nightly-run"
    assert not (tmp_path / "event-template").exists()


def test_raw_text_events_print_as_text():
    assert run("mns", "-", "--shape", "stream-without-message-attributes", "--message", "hi") == "hi\n"


def test_it_rejects_a_flag_the_template_does_not_take():
    with pytest.raises(CommandError, match="timer takes no --bucket"):
        run("timer", "-", "--bucket", "b")


def test_it_rejects_a_bad_value_with_the_reason():
    with pytest.raises(CommandError, match="whole number"):
        run("oss", "-", "--size", "huge")


def test_it_rejects_an_unknown_type():
    with pytest.raises(CommandError):
        run("ftp")
