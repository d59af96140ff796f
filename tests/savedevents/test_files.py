"""Events as files: export zip, import (web and `manage.py import_events`) with a report per file."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from savedevents.models import SavedEvent, Visibility

pytestmark = pytest.mark.django_db


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(client, *files, **options):
    data = {"visibility": "private", "require_json": "1", "invocation_type": "sync"} | options
    data["files"] = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(reverse("savedevents:import"), data)


def report(response) -> dict[str, tuple[str, str]]:
    return {o.path: (o.status, o.reason) for o in response.context["outcomes"]}


# --- export -------------------------------------------------------------------------------------


def test_export_writes_the_event_template_layout(invoker, other_invoker, client_for, make_event):
    a = make_event(invoker, name="oss-event", body='{"a": 1}')
    b = make_event(other_invoker, name="team-one", body="raw text", kind="text", visibility=Visibility.TEAM)
    response = client_for(invoker).post(reverse("savedevents:export"), {"events": [a.uuid, b.uuid]})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["event-template/oss-event.json", "event-template/team-one.json"]
    assert archive.read("event-template/oss-event.json") == b'{"a": 1}'


def test_export_cannot_include_someone_elses_private_event(invoker, other_invoker, client_for, make_event):
    hidden = make_event(other_invoker, name="secret")
    response = client_for(invoker).post(reverse("savedevents:export"), {"events": [hidden.uuid]})
    assert response.status_code == 302
    assert response["Content-Type"] != "application/zip"


def test_an_export_imports_back_as_the_same_events(invoker, other_invoker, client_for, make_event):
    make_event(invoker, name="one", body='{"x": [1, 2]}')
    make_event(invoker, name="two", body='"text json"')
    exported = client_for(invoker).post(
        reverse("savedevents:export"), {"events": list(SavedEvent.objects.values_list("uuid", flat=True))}
    )
    response = upload(client_for(other_invoker), ("events.zip", exported.content))
    assert {s for s, _ in report(response).values()} == {"created"}
    copies = {e.name: e.body for e in SavedEvent.objects.filter(owner=other_invoker)}
    assert copies == {"one": '{"x": [1, 2]}', "two": '"text json"'}


# --- import: web --------------------------------------------------------------------------------


def test_import_creates_and_then_updates(invoker, client_for):
    client = client_for(invoker)
    first = upload(client, ("oss-event.json", b'{"v": 1}'))
    assert report(first) == {"oss-event.json": ("created", "")}
    second = upload(client, ("oss-event.json", b'{"v": 2}'))
    assert report(second) == {"oss-event.json": ("updated", "new version 2")}
    event = SavedEvent.objects.get()
    assert event.body == '{"v": 2}'
    assert event.versions.count() == 2


def test_importing_again_with_the_default_private_keeps_a_team_event_shared(
    invoker, other_invoker, client_for, make_event
):
    make_event(invoker, name="shared", body='{"v": 1}', visibility=Visibility.TEAM)
    response = upload(client_for(invoker), ("shared.json", b'{"v": 1}'))  # visibility=private
    assert report(response) == {"shared.json": ("updated", "same body; no new version")}
    assert SavedEvent.objects.get(name="shared").visibility == Visibility.TEAM
    assert SavedEvent.objects.visible_to(other_invoker).filter(name="shared").exists()


def test_the_import_form_labels_each_field_once(invoker, client_for):
    page = client_for(invoker).get(reverse("savedevents:import")).content.decode()
    assert page.count(">Files <span") == 1 and page.count(">Content <span") == 1


def test_the_import_form_says_the_visibility_is_for_new_events(invoker, client_for):
    page = client_for(invoker).get(reverse("savedevents:import")).content.decode()
    assert "Visibility of new events" in page
    assert "keep their visibility" in page


def test_import_rejects_files_that_are_not_json_when_json_was_asked(invoker, client_for):
    response = upload(client_for(invoker), ("mns.json", b"hello topic"), ("ok.json", b"{}"))
    assert report(response) == {
        "mns.json": ("rejected", "not JSON (import as text to keep it)"),
        "ok.json": ("created", ""),
    }


def test_import_keeps_non_json_as_text_when_asked(invoker, client_for):
    upload(client_for(invoker), ("mns.json", b"hello topic"), require_json="0")
    event = SavedEvent.objects.get()
    assert (event.kind, event.body) == ("text", "hello topic")


def test_import_rejects_files_over_128kb_meant_for_async(invoker, client_for):
    big = json.dumps({"blob": "x" * 131_072}).encode()
    response = upload(client_for(invoker), ("big.json", big), ("small.json", b"{}"), invocation_type="async")
    status, reason = report(response)["big.json"]
    assert status == "rejected"
    assert "at most 128" in reason
    assert list(SavedEvent.objects.values_list("name", flat=True)) == ["small"]


def test_import_rejects_a_duplicate_name_within_one_import(invoker, client_for):
    archive = zip_of({"event-template/a.json": b"{}", "other/a.json": b"[]"})
    response = upload(client_for(invoker), ("set.zip", archive))
    outcomes = report(response)
    assert outcomes["set.zip:event-template/a.json"] == ("created", "")
    status, reason = outcomes["set.zip:other/a.json"]
    assert status == "rejected" and reason.startswith("duplicate name 'a'")


def test_import_rejects_a_team_name_a_teammate_has(invoker, other_invoker, client_for, make_event):
    make_event(other_invoker, name="shared", visibility=Visibility.TEAM)
    response = upload(client_for(invoker), ("shared.json", b"{}"), visibility="team")
    assert report(response)["shared.json"] == ("rejected", "The team already has an event named 'shared'.")


@pytest.mark.parametrize("entry", ["../evil.json", "event-template/../../evil.json", "/etc/evil.json"])
def test_import_rejects_zip_entries_that_traverse_paths(invoker, client_for, entry):
    response = upload(
        client_for(invoker), ("bad.zip", zip_of({entry: b"{}", "event-template/fine.json": b"{}"}))
    )
    outcomes = report(response)
    assert outcomes[f"bad.zip:{entry}"] == (
        "rejected",
        "path traversal: the entry points outside the archive",
    )
    assert list(SavedEvent.objects.values_list("name", flat=True)) == ["fine"]


def test_import_rejects_non_utf8_files(invoker, client_for):
    response = upload(client_for(invoker), ("latin1.json", '{"city": "Montréal"}'.encode("latin-1")))
    status, reason = report(response)["latin1.json"]
    assert status == "rejected" and reason.startswith("not UTF-8")
    assert not SavedEvent.objects.exists()


def test_import_keeps_bin_files_as_binary_events(invoker, client_for):
    upload(client_for(invoker), ("frame.bin", b"\x00\xff\xfe"))
    assert SavedEvent.objects.get().payload() == b"\x00\xff\xfe"


def test_import_rejects_a_broken_zip_and_other_file_types(invoker, client_for):
    response = upload(client_for(invoker), ("broken.zip", b"PK\x03\x04 nope"), ("notes.txt", b"hi"))
    outcomes = report(response)
    assert outcomes["broken.zip"] == ("rejected", "not a zip file")
    assert outcomes["notes.txt"][0] == "rejected"


def test_import_rejects_file_names_that_cannot_be_event_names(invoker, client_for):
    response = upload(client_for(invoker), (".hidden.json", b"{}"))
    assert report(response)[".hidden.json"][0] == "rejected"


def test_import_page_shows_the_report(invoker, client_for):
    html = upload(client_for(invoker), ("a.json", b"{}"), ("b.json", b"{")).content.decode()
    assert "created" in html and "rejected" in html and "not JSON" in html


# --- import: command ----------------------------------------------------------------------------


def run_import(*args) -> str:
    out = io.StringIO()
    call_command("import_events", *args, stdout=out)
    return out.getvalue()


def test_the_command_imports_a_folder_as_team_events(invoker, tmp_path):
    folder = tmp_path / "event-template"
    folder.mkdir()
    (folder / "oss-event.json").write_text('{"events": []}')
    (folder / "timer-event.json").write_text('{"triggerName": "t"}')
    out = run_import(str(folder), "--owner", invoker.username, "--team")
    assert "created  " in out and "2 imported, 0 rejected." in out
    assert set(SavedEvent.objects.values_list("name", "visibility")) == {
        ("oss-event", "team"),
        ("timer-event", "team"),
    }


def test_the_command_reports_rejections_and_fails(invoker, tmp_path):
    path = tmp_path / "set.zip"
    path.write_bytes(zip_of({"../up.json": b"{}", "event-template/ok.json": b"{}"}))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 file\\(s\\) rejected"):
        call_command("import_events", str(path), "--owner", invoker.username, stdout=out)
    assert "rejected" in out.getvalue() and "path traversal" in out.getvalue()
    assert list(SavedEvent.objects.values_list("name", flat=True)) == ["ok"]


def test_the_command_needs_an_owner_who_may_create_events(viewer, tmp_path):
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(CommandError, match="cannot own events"):
        run_import(str(tmp_path / "a.json"), "--owner", viewer.username)
    with pytest.raises(CommandError, match="No user 'nobody'"):
        run_import(str(tmp_path / "a.json"), "--owner", "nobody")


# --- names matched whole -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["smoke\n", "smoke\r\n", "smo\x07ke", "smoke\x1b"])
def test_an_imported_file_whose_name_ends_in_a_newline_or_holds_a_control_character_is_refused(
    invoker, client_for, name
):
    response = upload(client_for(invoker), ("events.zip", zip_of({f"event-template/{name}.json": b"{}"})))

    ((status, reason),) = report(response).values()
    assert status == "rejected"
    assert "cannot be an event name" in reason
    assert not SavedEvent.objects.exists()


def test_the_model_refuses_a_name_ending_in_a_newline(invoker):
    event = SavedEvent(owner=invoker, name="smoke\n", body="{}")
    with pytest.raises(ValidationError) as refused:
        event.save_new(invoker)
    assert list(refused.value.message_dict) == ["name"]
    assert not SavedEvent.objects.exists()


def test_an_event_stored_with_a_newline_in_its_name_still_downloads(invoker, client_for, make_event):
    event = make_event(invoker, name="legacy", body='{"a": 1}')
    SavedEvent.objects.filter(pk=event.pk).update(name="legacy\n")  # saved before the rule

    response = client_for(invoker).get(reverse("savedevents:download", args=[event.uuid]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="legacy.json"'
    assert json.loads(response.content) == {"a": 1}


# --- zip bombs: judged on what the zip declares, before anything is inflated ---------------------


def bomb(entries: int, size: int) -> bytes:
    """The finding's shape, smaller: many entries of zeros, each deflated to almost nothing."""
    zeros = b"\0" * size
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(entries):
            archive.writestr(f"event-template/e{i}.json", zeros)
    return buffer.getvalue()


def declaring(size: int) -> bytes:
    """A one-entry zip whose directory declares `size` bytes that its data cannot deliver: reading
    it would fail, so a refusal on its size proves nothing was inflated."""
    data = bytearray(zip_of({"event-template/huge.json": b"{}"}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = size.to_bytes(4, "little")  # uncompressed size
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    return bytes(data)


@pytest.fixture
def nothing_inflated(monkeypatch):
    """Fails the test if the importer opens any entry for reading (the test may still write zips)."""
    open_entry = zipfile.ZipFile.open

    def refuse_reads(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            raise AssertionError(f"an entry was inflated: {name}")
        return open_entry(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse_reads)


def test_a_zip_of_many_zero_filled_entries_is_refused_whole_without_inflating(
    invoker, client_for, nothing_inflated
):
    data = bomb(100, 1024 * 1024)  # 100 MB of zeros in about 100 KB
    assert len(data) < 200 * 1024

    response = upload(client_for(invoker), ("bomb.zip", data))

    assert report(response) == {
        "bomb.zip": (
            "rejected",
            "its files would unpack to 100.0\xa0MB; one import takes at most 64.0\xa0MB: split it into smaller zips",
        )
    }
    assert not SavedEvent.objects.exists()


def test_an_entry_declaring_more_than_an_event_may_be_is_refused_unread(
    invoker, client_for, nothing_inflated
):
    response = upload(client_for(invoker), ("huge.zip", declaring(40 * 1024 * 1024)))

    assert report(response) == {
        "huge.zip:event-template/huge.json": (
            "rejected",
            "unpacks to 40.0\xa0MB; an event for a sync invocation is at most 32.0\xa0MB",
        )
    }


def test_an_async_import_holds_entries_to_the_async_limit(invoker, client_for, nothing_inflated):
    response = upload(client_for(invoker), ("a.zip", declaring(200 * 1024)), invocation_type="async")

    assert (
        "an event for a async invocation is at most 128.0\xa0KB"
        in report(response)["a.zip:event-template/huge.json"][1]
    )


def test_a_large_entry_compressed_like_a_bomb_is_refused_unread(invoker, client_for, nothing_inflated):
    response = upload(client_for(invoker), ("one.zip", bomb(1, 8 * 1024 * 1024)))

    status, reason = report(response)["one.zip:event-template/e0.json"]
    assert status == "rejected"
    assert reason.startswith("compressed more than 100 times")


def test_an_ordinary_zip_still_imports(invoker, client_for):
    response = upload(client_for(invoker), ("ok.zip", zip_of({"event-template/a.json": b'{"a": 1}'})))

    assert report(response) == {"ok.zip:event-template/a.json": ("created", "")}
