"""Writing, sealing and walking the chain: signed when written, linked when sealed, concurrency."""

import threading

import pytest
from django.db import connection, connections, transaction

import audit
from audit import chain, digests, keys
from audit.models import AuditEntry
from audit.trail import record
from tests.audit.conftest import make_invocation, make_profile


def _trail(n=5):
    return [audit.record("test.step", after={"n": i, "text": 'naïve, "quoted"\nline'}) for i in range(n)]


@pytest.mark.django_db
def test_an_entry_is_signed_when_written_and_unsealed_until_sealed():
    entry = AuditEntry.objects.get(pk=audit.record("test.note", after={"a": 1}).pk)
    assert entry.version == AuditEntry.KEYED and entry.seq == entry.pk
    assert keys.same(entry.compute_mac(), entry.mac)
    assert (entry.position, entry.hash, entry.prev_hash) == (None, None, "")


@pytest.mark.django_db
def test_sealing_links_entries_in_write_order():
    written = _trail()
    assert chain.seal() == 5
    assert chain.seal() == 0, "sealing twice seals nothing twice"
    sealed = list(AuditEntry.objects.order_by("position"))
    assert [e.pk for e in sealed] == [e.pk for e in written]
    assert [e.position for e in sealed] == [1, 2, 3, 4, 5]
    assert sealed[0].prev_hash == AuditEntry.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(sealed, sealed[1:], strict=False))
    verdict = chain.verify()
    assert verdict.intact and verdict.checked == 5 and verdict.head == sealed[-1].hash


@pytest.mark.django_db
def test_verify_accepts_an_empty_trail():
    assert chain.verify().intact and chain.verify().checked == 0


@pytest.mark.django_db
def test_a_changed_secret_key_does_not_change_a_configured_audit_key(settings):
    settings.AUDIT_KEY = "k" * 40
    entry = audit.record("test.note")
    settings.SECRET_KEY = "another-secret-key-" * 3
    assert keys.same(AuditEntry.objects.get(pk=entry.pk).compute_mac(), entry.mac)


@pytest.mark.django_db
def test_entries_written_before_keys_still_verify_and_the_keyed_chain_follows_them():
    """What migration 0002 leaves: version 1 rows with their unkeyed chain, sealed at position = seq."""
    prev = AuditEntry.GENESIS
    for seq in (1, 2, 3):
        legacy = AuditEntry(seq=seq, version=AuditEntry.LEGACY, action="test.old", at="2026-01-01T00:00Z")
        legacy.at = legacy._meta.get_field("at").to_python(legacy.at)
        legacy.prev_hash, legacy.position = prev, seq
        legacy.hash = prev = legacy.compute_legacy_hash()
        # Around save(): these rows predate audit.record()'s signature.
        super(AuditEntry, legacy).save(force_insert=True)
    _trail(2)
    chain.seal()
    sealed = list(AuditEntry.objects.order_by("position"))
    assert [e.version for e in sealed] == [1, 1, 1, 2, 2]
    assert sealed[3].prev_hash == sealed[2].hash
    assert chain.verify().intact and chain.verify().checked == 5


@pytest.mark.django_db(transaction=True)
def test_an_entry_committed_after_a_later_one_was_sealed_is_sealed_next_time():
    """A slow submit's entry must never be skipped: unsealed means position IS NULL, not a range."""
    written, go_on = threading.Event(), threading.Event()
    slow = {}

    def slow_submit():
        try:
            with transaction.atomic():
                slow["entry"] = audit.record("test.slow")
                written.set()
                go_on.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_submit)
    thread.start()
    assert written.wait(10)
    fast = audit.record("test.fast")
    assert fast.seq > slow["entry"].seq
    assert chain.seal() == 1, "only the committed entry is sealed"
    go_on.set()
    thread.join(10)
    assert chain.seal() == 1
    order = list(AuditEntry.objects.order_by("position").values_list("action", flat=True))
    assert order == ["test.fast", "test.slow"]
    assert chain.verify().intact


@pytest.mark.django_db(transaction=True)
def test_writers_do_not_wait_for_each_other_nor_for_the_sealer():
    """Two open submit transactions and a sealer holding its lock: a third write still goes through."""
    holding, release = threading.Barrier(3), threading.Event()

    def hold(action):
        try:
            with transaction.atomic():
                if action == "seal":
                    chain._lock_sealer()
                else:
                    audit.record(action)
                holding.wait(10)
                release.wait(10)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hold, args=(a,)) for a in ("test.open", "seal")]
    for thread in threads:
        thread.start()
    holding.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")  # a wait on either would raise here
    try:
        assert audit.record("test.meanwhile").pk
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        release.set()
        for thread in threads:
            thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_are_all_recorded_and_verify(django_user_model):
    from invocations.models import Invocation, Membership, Role

    user = django_user_model.objects.create_user("ivan-invoker", password="x")
    Membership.objects.create(user=user, role=Role.INVOKER)
    profile = make_profile(all_invokers=True)
    errors, per_thread = [], 10

    def submit(worker):
        try:
            for i in range(per_thread):
                if i % 2:
                    record("test.concurrent", after={"worker": worker, "i": i})
                else:
                    Invocation.objects.submit(
                        user=user, profile=profile, region="cn-hangzhou", service="demo", function="hello",
                        event=b"{}", enqueue=False,
                    )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditEntry.objects.filter(action="invocation.submitted").count() == 40
    assert AuditEntry.objects.filter(action="test.concurrent").count() == 40
    assert Invocation.objects.count() == 40
    total = AuditEntry.objects.count()
    written = digests.checkpoint()
    assert written.digest["count"] == total
    assert list(AuditEntry.objects.order_by("position").values_list("position", flat=True)) == list(
        range(1, total + 1)
    )
    assert chain.verify().intact


@pytest.mark.django_db
def test_an_invocation_and_its_entry_commit_or_roll_back_together(admin, profile):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_invocation(admin, profile)
        raise RuntimeError("the submit fails after its row was written")
    assert not AuditEntry.objects.filter(action="invocation.submitted").exists()
    chain.seal()
    assert chain.verify().intact, "a rolled-back entry's seq is a gap, not a break"
