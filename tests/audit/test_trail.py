"""audit.record(): the one way into the trail, and what it refuses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

import audit
from audit import chain
from audit.models import AuditEntry
from audit.trail import REDACTED, scrub
from tests.audit.conftest import SECRET, TOKEN, make_profile


@pytest.mark.django_db
def test_it_records_actor_time_ip_object_and_summary(admin):
    profile = make_profile("staging")
    request = RequestFactory().post("/x", REMOTE_ADDR="198.51.100.7")
    request.user = admin

    entry = audit.record("profile.edited", request=request, obj=profile, before={"a": 1}, after={"a": 2})

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == admin and entry.actor_name == "alice-admin"
    assert entry.action == "profile.edited"
    assert entry.source_ip == "198.51.100.7"
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "invocations.credentialprofile",
        str(profile.uuid),
        "staging",
    )
    assert entry.before == {"a": 1} and entry.after == {"a": 2}
    assert entry.at is not None and len(entry.mac) == 64


@pytest.mark.django_db
def test_it_records_no_actor_for_an_anonymous_request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    entry = audit.record("auth.sign_in_failed", request=request)
    assert entry.actor is None and entry.actor_name == ""


@pytest.mark.django_db
def test_it_numbers_entries_in_write_order_and_leaves_the_chain_to_the_sealer():
    first = audit.record("test.first")
    second = audit.record("test.second")
    assert second.seq > first.seq
    assert (first.position, first.hash, second.position, second.hash) == (None, None, None, None)
    chain.seal()
    first, second = AuditEntry.objects.get(pk=first.pk), AuditEntry.objects.get(pk=second.pk)
    assert first.prev_hash == AuditEntry.GENESIS
    assert (second.position, second.prev_hash) == (first.position + 1, first.hash)


@pytest.mark.parametrize("action", ["", "created", "Profile.Created", "profile created", "profile."])
@pytest.mark.django_db
def test_it_rejects_an_action_that_is_not_a_dotted_name(action):
    with pytest.raises(ValueError, match="dotted"):
        audit.record(action)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_it_redacts_secret_keys_at_any_depth():
    entry = audit.record(
        "profile.edited",
        before={"access_key_secret": SECRET, "nested": [{"security_token": TOKEN}]},
        after={"password": "hunter2", "AccessKeySecret": SECRET, "x-acs-security-token": TOKEN, "name": "ok"},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    text = repr((stored.before, stored.after))
    assert SECRET not in text and TOKEN not in text and "hunter2" not in text
    assert stored.after["name"] == "ok"
    assert stored.before["nested"][0]["security_token"] == REDACTED


def test_scrub_makes_values_json_safe_and_short():
    import datetime
    import uuid

    value = scrub(
        {"b": b"\x00\x01", "when": datetime.datetime(2026, 1, 2, 3, 4), "id": uuid.UUID(int=1), 3: "x" * 5000}
    )
    assert value["b"] == "<2 bytes>"
    assert value["when"] == "2026-01-02T03:04:00"
    assert value["id"] == "00000000-0000-0000-0000-000000000001"
    assert len(value["3"]) < 1100 and value["3"].endswith("(5000 characters)")


@pytest.mark.django_db
def test_an_entry_cannot_be_changed_or_deleted_through_the_orm():
    entry = audit.record("test.thing")
    entry.action = "test.other"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.other")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.thing"


@pytest.mark.django_db
def test_an_entry_cannot_be_written_around_the_chain():
    with pytest.raises(ValueError, match="audit.record"):
        AuditEntry(action="test.sneaky", seq=99, at="2026-01-01T00:00Z", prev_hash="0" * 64).save()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.bulk_create([AuditEntry(action="test.sneaky")])


def test_the_admin_site_offers_no_way_to_change_the_trail(rf):
    from django.contrib import admin

    model_admin = admin.site._registry[AuditEntry]
    request = rf.get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.django_db
def test_the_client_ip_comes_from_trusted_proxies_only(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.1")
    assert audit.record("test.ip", request=request).source_ip == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert audit.record("test.ip", request=request).source_ip == "192.0.2.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert audit.record("test.ip", request=request).source_ip == "203.0.113.9"
