"""`manage.py verify_audit` against each way of tampering with the trail: detected, or the stated limit.

The trail: 40 entries, checkpointed (sealed, digest written), then 3 more written after the last
digest (the window no digest covers yet).
"""

import hashlib
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

import audit
from audit import chain, digests, keys, verification
from audit.models import AuditCheckpoint, AuditEntry
from tests.audit.conftest import tamper


@pytest.fixture
def trail(db):
    for i in range(40):
        audit.record("test.step", after={"n": i})
    digests.checkpoint()
    for i in range(3):
        audit.record("test.after_digest", after={"n": i})
    return list(AuditEntry.objects.order_by("seq"))


def failed(report) -> dict:
    return {check.name: check.text for check in report.checks if check.status == verification.FAIL}


def test_an_untouched_trail_verifies_and_states_its_window(trail, capsys):
    report = verification.run()
    assert report.intact, report.checks
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "chain     ok: 40 sealed entries link up" in out
    assert "digests   ok: 1 digests signed and chained" in out
    assert "window    warning: 3 entries written or sealed since digest 1" in out
    assert "Audit trail intact." in out


def test_an_edited_entry_is_detected(trail):
    tamper("UPDATE {table} SET after = %s WHERE id = %s", ['{"n": 99}', trail[5].pk])
    assert "keyed MAC" in failed(verification.run())["chain"]
    with pytest.raises(CommandError, match=r"TAMPERED \(chain"):
        call_command("verify_audit")


def test_an_edited_unsealed_entry_is_detected(trail):
    tamper("UPDATE {table} SET actor_name = 'mallory' WHERE id = %s", [trail[-1].pk])
    assert f"#{trail[-1].seq}" in failed(verification.run())["unsealed"]


def test_an_entry_deleted_in_the_middle_is_detected(trail):
    tamper("DELETE FROM {table} WHERE id = %s", [trail[20].pk])
    assert "chain position 21 is missing" in failed(verification.run())["chain"]


def test_an_entry_unsealed_in_the_middle_is_detected(trail):
    tamper("UPDATE {table} SET position = NULL, hash = NULL, prev_hash = '' WHERE id = %s", [trail[20].pk])
    assert "chain position 21 is missing" in failed(verification.run())["chain"]


def test_the_last_20_entries_deleted_are_detected(trail):
    doomed = [e.pk for e in trail[-20:]]  # 17 sealed and covered by the digest, 3 written since
    tamper("DELETE FROM {table} WHERE id = ANY(%s)", [doomed])
    assert "it has 23 now (entries were removed from its end)" in failed(verification.run())["digests"]


def test_entries_deleted_after_the_last_digest_are_not_detected_until_the_next(trail):
    """The stated limit: the window. Sealed or not, what no digest covers yet can be cut unseen."""
    tamper("DELETE FROM {table} WHERE id = ANY(%s)", [[e.pk for e in trail[-3:]]])
    report = verification.run()
    assert report.intact
    assert [c.status for c in report.checks if c.name == "window"] == [verification.OK]


def _rewrite(entries, rehash):
    """Recompute the chain after an edit of the 6th entry, the way a forger with database access would."""
    prev = AuditEntry.GENESIS
    for entry in entries:
        if entry.position == 6:
            entry.after = {"n": "forged"}
        entry.prev_hash = prev
        prev = rehash(entry)
        tamper(
            "UPDATE {table} SET after = %s, version = %s, seq = %s, mac = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [json.dumps(entry.after), entry.version, entry.seq, entry.mac, entry.prev_hash, prev, entry.pk],
        )


def test_a_rewrite_with_recomputed_plain_sha256_hashes_is_detected(trail):
    sealed = list(AuditEntry.objects.filter(position__isnull=False).order_by("position"))

    def sha256(entry):
        entry.mac = hashlib.sha256(keys.canonical(entry.content())).hexdigest()
        return hashlib.sha256(f"{entry.position}\n{entry.prev_hash}\n{entry.mac}".encode()).hexdigest()

    _rewrite(sealed, sha256)
    assert "keyed MAC" in failed(verification.run())["chain"]


def test_a_rewrite_passed_off_as_unkeyed_legacy_entries_is_detected(trail):
    """Version 1 hashes need no key, so a forger relabels everything as version 1: the digest's head shows."""
    sealed = list(AuditEntry.objects.filter(position__isnull=False).order_by("position"))
    tamper("UPDATE {table} SET seq = seq + 1000000000")
    for entry in sealed:
        entry.version, entry.seq, entry.mac = AuditEntry.LEGACY, entry.position, ""
    _rewrite(sealed, lambda entry: entry.compute_legacy_hash())
    report = verification.run()
    assert "chain" not in failed(report), "a consistent unkeyed chain: only the digest can tell"
    assert "names another head at chain position 40" in failed(report)["digests"]


def test_a_rewrite_with_recomputed_hashes_without_the_key_is_detected(trail):
    sealed = list(AuditEntry.objects.filter(position__isnull=False).order_by("position"))
    with override_settings(AUDIT_KEY="a guess at the key, or the development default"):

        def keyed(entry):
            entry.mac = entry.compute_mac()
            return AuditEntry.link_hash(entry.position, entry.prev_hash, entry.mac)

        _rewrite(sealed, keyed)
    assert "keyed MAC" in failed(verification.run())["chain"]


def test_a_forged_entry_inserted_without_the_key_is_detected(trail):
    tamper(
        "INSERT INTO {table} (seq, version, at, actor_name, action, object_type, object_id, object_repr, mac, "
        "prev_hash) VALUES (999999999, 2, now(), 'mallory', 'test.forged', '', '', '', %s, '')",
        ["0" * 64],
    )
    assert "#999999999" in failed(verification.run())["unsealed"]
    chain.seal()
    assert "keyed MAC" in failed(verification.run())["chain"]


def test_the_digest_file_removed_is_detected(trail):
    digests.path().unlink()
    report = failed(verification.run())
    assert "is missing or empty, but 1 digests were written" in report["digests"]
    assert "digests 1 recorded in the database are missing" in report["copies"]


def _more_digests(n=3):
    for i in range(n):
        audit.record("test.more", after={"i": i})
        digests.checkpoint()
    return digests.path().read_text().splitlines()


def test_a_digest_line_altered_is_detected(trail):
    lines = _more_digests()
    line = json.loads(lines[1])
    line["count"] -= 1
    lines[1] = json.dumps(line)
    digests.path().write_text("\n".join(lines) + "\n")
    assert "digest 2 (line 2) does not match its signature" in failed(verification.run())["digests"]


def test_a_digest_line_removed_from_the_middle_is_detected(trail):
    lines = _more_digests()
    digests.path().write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    assert "digests 2..2 are missing" in failed(verification.run())["digests"]


def test_the_last_digest_lines_removed_are_detected(trail):
    lines = _more_digests()
    digests.path().write_text("\n".join(lines[:2]) + "\n")
    assert "digests 3, 4 recorded in the database" in failed(verification.run())["copies"]


def test_a_digest_signed_with_another_key_says_so(trail):
    with override_settings(AUDIT_KEY="x" * 40):
        line = json.loads(digests.path().read_text().splitlines()[0])
        line["signature"] = digests.sign(line)
        line["key_id"] = keys.key_id()
    digests.path().write_text(json.dumps(line) + "\n")
    assert "was signed with another key" in failed(verification.run())["digests"]


def test_checkpoints_write_only_when_the_head_moved_and_chain_their_lines(trail):
    assert digests.checkpoint().digest["count"] == 43
    assert digests.checkpoint().digest is None
    first, second = (json.loads(line) for line in digests.path().read_text().splitlines())
    assert (first["n"], second["n"], second["prev"]) == (1, 2, first["signature"])
    assert list(AuditCheckpoint.objects.values_list("number", flat=True)) == [2, 1]
    assert verification.run().intact


def test_the_checkpoint_command_and_task_write_a_digest(trail, capsys):
    from audit.tasks import checkpoint

    call_command("audit_checkpoint")
    assert "Sealed 3 entries; digest 2: 43 entries" in capsys.readouterr().out
    audit.record("test.one_more")
    assert checkpoint() == 3


def test_a_checkpoint_refuses_to_chain_onto_a_damaged_digest_file(trail):
    with digests.path().open("a") as f:
        f.write("not a digest\n")
    with pytest.raises(digests.DigestFileDamaged):
        digests.checkpoint()
    assert "line 2 is not a digest" in failed(verification.run())["digests"]


def test_the_window_says_when_checkpoints_seem_to_have_stopped(trail, settings):
    settings.AUDIT_CHECKPOINT_INTERVAL = 300
    assert "is the beat running" not in str(verification.run().checks)
    later = timezone.now() + timedelta(hours=1)
    with mock.patch("audit.verification.timezone.now", return_value=later):
        assert "is the beat running" in str(verification.run().checks)
