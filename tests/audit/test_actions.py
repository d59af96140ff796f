"""Every change that matters writes exactly one entry, with the right fields and no secret."""

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login

from invocations.models import Membership, Role
from team import members
from tests.audit.conftest import SECRET, TOKEN, entries_since, last_seq, make_invocation, make_profile
from tests.fixtures.personas import PASSWORD


def only_entry(mark):
    new = entries_since(mark)
    assert len(new) == 1, [e.action for e in new]
    return new[0]


# --- sign-in ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_in_records_auth_signed_in(client, invoker):
    mark = last_seq()
    response = client.post(
        "/login/", {"username": "ivan-invoker", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 302
    entry = only_entry(mark)
    assert (entry.action, entry.actor, entry.source_ip) == ("auth.signed_in", invoker, "192.0.2.10")
    assert entry.object_repr == "ivan-invoker"


@pytest.mark.django_db
def test_a_failed_sign_in_records_the_name_tried_and_never_the_password(client, invoker):
    mark = last_seq()
    response = client.post("/login/", {"username": "ivan-invoker", "password": "wrong-guess-123"})
    assert response.status_code == 200
    entry = only_entry(mark)
    assert entry.action == "auth.sign_in_failed"
    assert entry.actor is None and entry.source_ip == "127.0.0.1"
    assert entry.after == {"username": "ivan-invoker"}
    assert "wrong-guess-123" not in repr(entry.content())


@pytest.mark.django_db
def test_signing_out_records_auth_signed_out(client, viewer):
    client.force_login(viewer)
    mark = last_seq()
    client.post("/logout/")
    entry = only_entry(mark)
    assert (entry.action, entry.actor) == ("auth.signed_out", viewer)


# --- credential profiles -----------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_a_profile_records_it_without_its_secret(admin):
    mark = last_seq()
    profile = make_profile("prod", created_by=admin)
    entry = only_entry(mark)
    assert entry.action == "profile.created"
    assert (entry.object_type, entry.object_id) == ("invocations.credentialprofile", str(profile.uuid))
    assert entry.after["name"] == "prod" and entry.after["access_key_id"] == "LTAI****eyId"
    assert SECRET not in repr(entry.content()) and "LTAI5tExampleKeyId" not in repr(entry.content())


@pytest.mark.django_db
def test_editing_a_profile_records_only_what_changed(profile):
    mark = last_seq()
    profile.description = "production account"
    profile.protected = True
    profile.save()
    entry = only_entry(mark)
    assert entry.action == "profile.edited"
    assert entry.before == {"description": "", "protected": False}
    assert entry.after == {"description": "production account", "protected": True}


@pytest.mark.django_db
def test_saving_a_profile_unchanged_records_nothing(profile):
    mark = last_seq()
    profile.save()
    assert entries_since(mark) == []


@pytest.mark.django_db
def test_replacing_a_secret_records_secret_replaced_without_either_secret(profile):
    mark = last_seq()
    profile.set_secret("another-secret-value", TOKEN)
    profile.save()
    entry = only_entry(mark)
    assert entry.action == "profile.secret_replaced"
    assert entry.before == {"kind": "access_key"} and entry.after == {"kind": "sts"}
    text = repr(entry.content())
    assert "another-secret-value" not in text and TOKEN not in text and SECRET not in text


@pytest.mark.django_db
def test_rotating_encryption_keys_records_rotated(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FCCONSOLE_ENCRYPTION_KEYS = [old_key]
    profile = make_profile()
    settings.FCCONSOLE_ENCRYPTION_KEYS = [new_key, old_key]
    mark = last_seq()
    profile.rotate_encryption()
    profile.save()
    entry = only_entry(mark)
    assert entry.action == "profile.rotated" and entry.before is None and entry.after is None


@pytest.mark.django_db
def test_granting_a_profile_to_a_user_records_access_changed(profile, invoker):
    mark = last_seq()
    profile.allowed_users.add(invoker)
    entry = only_entry(mark)
    assert (entry.action, entry.after) == ("profile.access_changed", {"added": ["ivan-invoker"]})
    mark = last_seq()
    profile.allowed_users.clear()
    assert only_entry(mark).after == {"removed": ["ivan-invoker"]}


@pytest.mark.django_db
def test_deleting_a_profile_records_what_it_was(profile):
    uuid = str(profile.uuid)
    mark = last_seq()
    profile.delete()
    entry = only_entry(mark)
    assert (entry.action, entry.object_id, entry.before["name"]) == ("profile.deleted", uuid, "prod")


# --- users and roles ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_a_user_with_a_role_records_the_user_and_the_role():
    mark = last_seq()
    user = members.create_user("nina", "nina@example.com", Role.INVOKER)
    created, assigned = entries_since(mark)
    assert (created.action, created.object_id, created.after["email"]) == (
        "user.created",
        str(user.pk),
        "nina@example.com",
    )
    assert "password" not in created.after
    assert (assigned.action, assigned.object_id, assigned.after) == (
        "role.assigned",
        str(user.pk),
        {"role": "invoker"},
    )


@pytest.mark.django_db
def test_changing_a_role_records_before_and_after(invoker, admin):
    mark = last_seq()
    members.set_role(invoker, Role.VIEWER)
    entry = only_entry(mark)
    assert (entry.action, entry.before, entry.after) == (
        "role.changed",
        {"role": "invoker"},
        {"role": "viewer"},
    )


@pytest.mark.django_db
def test_removing_a_membership_records_role_removed(viewer):
    mark = last_seq()
    Membership.objects.get(user=viewer).delete()
    assert only_entry(mark).action == "role.removed"


@pytest.mark.django_db
def test_deactivating_and_reactivating_a_user_are_recorded(invoker, admin):
    mark = last_seq()
    members.set_active(invoker, False)
    assert only_entry(mark).action == "user.deactivated"
    mark = last_seq()
    members.set_active(invoker, True)
    assert only_entry(mark).action == "user.reactivated"


@pytest.mark.django_db
def test_changing_a_password_records_it_without_the_hash(viewer):
    mark = last_seq()
    viewer.set_password("a-new-long-password")
    viewer.save()
    entry = only_entry(mark)
    assert entry.action == "user.password_changed" and entry.before is None
    assert viewer.password not in repr(entry.content())


@pytest.mark.django_db
def test_editing_a_user_records_changed_fields(viewer):
    mark = last_seq()
    viewer.email = "vera@example.org"
    viewer.save()
    entry = only_entry(mark)
    assert (entry.action, entry.before, entry.after) == (
        "user.edited",
        {"email": "vera-viewer@example.com"},
        {"email": "vera@example.org"},
    )


@pytest.mark.django_db
def test_a_last_login_update_records_nothing_more(viewer):
    mark = last_seq()
    update_last_login(None, get_user_model().objects.get(pk=viewer.pk))
    assert entries_since(mark) == []


# --- invocations -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_writing_an_invocation_records_it_submitted_by_its_user(invoker, profile):
    mark = last_seq()
    invocation = make_invocation(invoker, profile, event=b"x" * 10)
    entry = only_entry(mark)
    assert (entry.action, entry.actor, entry.object_id) == (
        "invocation.submitted",
        invoker,
        str(invocation.uuid),
    )
    assert entry.after["function"] == "hello" and entry.after["profile"] == "prod"
    assert entry.after["event_bytes"] == 10


@pytest.mark.django_db
def test_a_rerun_is_recorded_as_rerun_of_the_original(invoker, profile):
    original = make_invocation(invoker, profile)
    mark = last_seq()
    make_invocation(invoker, profile, rerun_of=original)
    entry = only_entry(mark)
    assert (entry.action, entry.after["rerun_of"]) == ("invocation.rerun", str(original.uuid))


@pytest.mark.django_db
def test_progress_of_an_invocation_records_nothing_more(invoker, profile):
    invocation = make_invocation(invoker, profile, state="queued")
    mark = last_seq()
    invocation.state = "running"
    invocation.save()
    assert entries_since(mark) == []
