"""SavedEvent rules: bodies, limits, names, versions, soft delete, visibility, the picker's order."""

import base64

import pytest
from django.core.exceptions import ValidationError

from savedevents.bodies import ASYNC_LIMIT
from savedevents.models import SavedEvent, Visibility, normalize_tags

pytestmark = pytest.mark.django_db


def test_it_rejects_malformed_json(invoker):
    with pytest.raises(ValidationError) as exc:
        SavedEvent(owner=invoker, name="bad", body='{"a": ').save_new(invoker)
    assert "Not valid JSON" in exc.value.message_dict["body"][0]
    assert not SavedEvent.objects.exists()


def test_text_events_need_not_be_json(invoker, make_event):
    event = make_event(invoker, body="hello topic", kind="text")
    assert event.payload() == b"hello topic"


def test_binary_bodies_are_kept_as_base64(invoker, make_event):
    raw = bytes(range(256))
    event = make_event(invoker, kind="binary", body=base64.b64encode(raw).decode())
    assert event.payload() == raw
    assert event.size == 256


def test_it_rejects_a_binary_body_that_is_not_base64(invoker):
    with pytest.raises(ValidationError, match="base64"):
        SavedEvent(owner=invoker, name="bin", kind="binary", body="not base64!").save_new(invoker)


def test_it_rejects_payload_over_128kb_for_async(invoker):
    body = '"' + "x" * (ASYNC_LIMIT - 1) + '"'
    with pytest.raises(ValidationError, match="at most 128"):
        SavedEvent(owner=invoker, name="big", body=body, invocation_type="async").save_new(invoker)


def test_the_same_body_is_fine_for_sync(invoker, make_event):
    body = '"' + "x" * (ASYNC_LIMIT - 1) + '"'
    assert make_event(invoker, body=body).size == ASYNC_LIMIT + 1


def test_it_rejects_a_second_event_of_the_same_name_for_one_owner(invoker, make_event):
    make_event(invoker, name="upload")
    with pytest.raises(ValidationError, match="already have an event named 'upload'"):
        make_event(invoker, name="upload")


def test_two_owners_may_each_have_a_private_event_of_one_name(invoker, other_invoker, make_event):
    make_event(invoker, name="upload")
    make_event(other_invoker, name="upload")


def test_team_event_names_are_unique_across_the_team(invoker, other_invoker, make_event):
    make_event(invoker, name="upload", visibility=Visibility.TEAM)
    with pytest.raises(ValidationError, match="team already has an event named 'upload'"):
        make_event(other_invoker, name="upload", visibility=Visibility.TEAM)


@pytest.mark.parametrize("name", ["../etc", "a/b", ".hidden", "", "x" * 101])
def test_it_rejects_names_that_are_not_file_safe(invoker, name):
    with pytest.raises(ValidationError):
        SavedEvent(owner=invoker, name=name, body="{}").save_new(invoker)


def test_a_service_alone_is_no_target(invoker):
    with pytest.raises(ValidationError, match="Give the function of that service too"):
        SavedEvent(owner=invoker, name="t", body="{}", target_service="demo").save_new(invoker)


def test_a_function_without_a_service_is_an_fc3_target(invoker):
    event = SavedEvent(owner=invoker, name="t3", body="{}", target_function="hello").save_new(invoker)
    assert event.target == "hello"
    fc2 = SavedEvent(owner=invoker, name="t2", body="{}", target_service="demo", target_function="hello")
    assert fc2.save_new(invoker).target == "demo/hello"
    # The picker puts events aimed at the FC 3.0 function first, not those of demo/hello.
    assert list(SavedEvent.objects.for_picker(invoker, "", "hello"))[0] == event


def test_tags_are_normalized():
    assert normalize_tags(" OSS, smoke,,oss ,b") == "b,oss,smoke"


def test_creating_makes_version_one(invoker, make_event):
    event = make_event(invoker)
    (version,) = event.versions.all()
    assert (version.number, version.body, version.created_by) == (1, '{"k": "v"}', invoker)


def test_every_body_edit_keeps_the_previous_body(invoker, admin, make_event):
    event = make_event(invoker, body='{"v": 1}', visibility=Visibility.TEAM)
    event.body = '{"v": 2}'
    assert event.save_edit(admin) is True
    assert event.version == 2
    assert [(v.number, v.body, v.created_by) for v in event.versions.all()] == [
        (2, '{"v": 2}', admin),
        (1, '{"v": 1}', invoker),
    ]


def test_editing_only_the_description_adds_no_version(invoker, make_event):
    event = make_event(invoker)
    event.description = "now documented"
    assert event.save_edit(invoker) is False
    assert event.versions.count() == 1


def test_restore_makes_a_new_version_with_the_old_body(invoker, make_event):
    event = make_event(invoker, body='{"v": 1}')
    event.body = '{"v": 2}'
    event.save_edit(invoker)
    restored = event.restore_version(event.versions.get(number=1), invoker)
    event.refresh_from_db()
    assert (restored.number, restored.body, restored.note) == (3, '{"v": 1}', "restored version 1")
    assert event.body == '{"v": 1}'
    assert event.versions.count() == 3


def test_diff_lines_mark_added_and_removed_lines(invoker, make_event):
    event = make_event(invoker, body='{\n  "bucket": "a",\n  "key": "k"\n}')
    event.body = '{\n  "bucket": "b",\n  "key": "k"\n}'
    event.save_edit(invoker)
    v1, v2 = event.versions.get(number=1), event.versions.get(number=2)
    lines = v1.diff_lines(v2)
    assert ("del", '-  "bucket": "a",') in lines
    assert ("add", '+  "bucket": "b",') in lines
    assert ("same", '   "key": "k"') in lines


def test_duplicate_makes_a_private_copy_for_the_new_owner(invoker, other_invoker, make_event):
    event = make_event(invoker, name="upload", visibility=Visibility.TEAM, tags="oss")
    first = event.duplicate_for(other_invoker)
    second = event.duplicate_for(other_invoker)
    assert (first.owner, first.name, first.visibility, first.body) == (
        other_invoker,
        "upload copy",
        Visibility.PRIVATE,
        event.body,
    )
    assert second.name == "upload copy 2"


def test_soft_delete_hides_and_undelete_restores(invoker, make_event):
    event = make_event(invoker)
    event.soft_delete(invoker)
    assert not SavedEvent.objects.visible_to(invoker).exists()
    assert list(SavedEvent.objects.visible_to(invoker, deleted=True)) == [event]
    event.undelete(invoker)
    assert list(SavedEvent.objects.visible_to(invoker)) == [event]
    assert event.versions.count() == 1


def test_undelete_refuses_when_the_name_was_taken_meanwhile(invoker, make_event):
    event = make_event(invoker, name="upload")
    event.soft_delete(invoker)
    make_event(invoker, name="upload")
    with pytest.raises(ValidationError, match="already have an event named"):
        event.undelete(invoker)
    assert SavedEvent.objects.get(pk=event.pk).is_deleted


def test_private_events_are_visible_to_their_owner_only(
    invoker, other_invoker, admin, viewer, outsider, make_event
):
    private = make_event(invoker, name="mine")
    team = make_event(invoker, name="ours", visibility=Visibility.TEAM)
    assert set(SavedEvent.objects.visible_to(invoker)) == {private, team}
    for user in (other_invoker, admin, viewer):
        assert list(SavedEvent.objects.visible_to(user)) == [team]
    assert not SavedEvent.objects.visible_to(outsider).exists()


def test_admins_see_the_team_trash_but_not_private_deleted_events(invoker, other_invoker, admin, make_event):
    private = make_event(invoker, name="mine")
    team = make_event(invoker, name="ours", visibility=Visibility.TEAM)
    private.soft_delete(invoker)
    team.soft_delete(invoker)
    assert list(SavedEvent.objects.visible_to(admin, deleted=True)) == [team]
    assert not SavedEvent.objects.visible_to(other_invoker, deleted=True).exists()


def test_picker_orders_matching_target_then_team_then_own(invoker, other_invoker, make_event):
    own = make_event(invoker, name="a-own")
    team = make_event(other_invoker, name="b-team", visibility=Visibility.TEAM)
    aimed = make_event(invoker, name="z-aimed", target_service="demo", target_function="oss-thumbnail")
    elsewhere = make_event(invoker, name="c-else", target_service="demo", target_function="hello")
    make_event(other_invoker, name="hidden")  # someone else's private event
    ordered = list(SavedEvent.objects.for_picker(invoker, "demo", "oss-thumbnail"))
    assert ordered == [aimed, team, own, elsewhere]


def test_an_edit_from_a_stale_copy_still_gets_the_next_version(invoker, make_event):
    event = make_event(invoker, body='{"v": 1}')
    stale = SavedEvent.objects.get(pk=event.pk)
    event.body = '{"v": 2}'
    event.save_edit(invoker)
    stale.body = '{"v": 3}'
    stale.save_edit(invoker)
    assert list(event.versions.values_list("number", "body")) == [
        (3, '{"v": 3}'),
        (2, '{"v": 2}'),
        (1, '{"v": 1}'),
    ]


@pytest.mark.django_db
def test_one_events_visibility_is_the_querysets_rule(invoker, other_invoker, viewer, make_event):
    """The rule suites share (savedevents/ownership.py): one event's answer and the list agree,
    deleted ones included."""
    private = make_event(invoker, name="mine")
    team = make_event(invoker, name="ours", visibility=Visibility.TEAM)
    gone = make_event(invoker, name="gone", visibility=Visibility.TEAM)
    gone.soft_delete(invoker)
    for user in (invoker, other_invoker, viewer):
        for event in (private, team, gone):
            assert (
                event.is_visible_to(user) == SavedEvent.objects.visible_to(user).filter(pk=event.pk).exists()
            )
    assert not private.is_visible_to(other_invoker) and team.is_visible_to(viewer)
    assert not gone.is_visible_to(invoker)
