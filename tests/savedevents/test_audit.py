"""Each change to a saved event leaves one audit entry naming who did it; bodies stay out of it."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from savedevents.models import SavedEvent

pytestmark = pytest.mark.django_db


def actions_for(event) -> list[tuple[str, str]]:
    rows = AuditEntry.objects.filter(object_id=str(event.uuid)).order_by("seq")
    return [(e.action, e.actor_name) for e in rows]


def test_the_life_of_an_event_is_audited(invoker, admin, client_for):
    client = client_for(invoker)
    client.post(
        reverse("savedevents:create"),
        {"name": "upload", "kind": "json", "body": '{"secret_sauce": 1}', "visibility": "private"}
        | {"invocation_type": "sync"},
    )
    event = SavedEvent.objects.get()
    client.post(
        reverse("savedevents:edit", args=[event.uuid]),
        {
            "name": "upload",
            "kind": "json",
            "body": '{"v": 2}',
            "visibility": "team",
            "invocation_type": "sync",
        },
    )
    client_for(admin).post(reverse("savedevents:restore", args=[event.uuid, 1]))
    client.post(reverse("savedevents:delete", args=[event.uuid]))
    client_for(admin).post(reverse("savedevents:undelete", args=[event.uuid]))
    assert actions_for(event) == [
        ("event.created", "ivan-invoker"),
        ("event.edited", "ivan-invoker"),
        ("event.shared", "ivan-invoker"),
        ("event.version_restored", "alice-admin"),
        ("event.deleted", "ivan-invoker"),
        ("event.restored", "alice-admin"),
    ]
    edited = AuditEntry.objects.get(action="event.edited")
    assert (edited.before["visibility"], edited.after["visibility"]) == ("private", "team")
    assert (edited.before["version"], edited.after["version"]) == (1, 2)
    assert not any("secret_sauce" in str(e.after) for e in AuditEntry.objects.all())


def test_an_imported_event_is_audited_for_its_owner(invoker, tmp_path):
    from django.core.management import call_command

    (tmp_path / "a.json").write_text("{}")
    call_command("import_events", str(tmp_path / "a.json"), "--owner", invoker.username, stdout=None)
    event = SavedEvent.objects.get()
    assert actions_for(event) == [("event.created", "ivan-invoker")]
    assert (
        AuditEntry.objects.get(action="event.created").after["note"] == f"imported from {tmp_path / 'a.json'}"
    )
