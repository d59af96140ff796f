"""The hash chain and `manage.py verify_audit`: intact, edited in place, removed, written concurrently."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

import audit
from audit.chain import verify
from audit.models import AuditEntry


def _trail(n=5):
    return [audit.record("test.step", after={"n": i, "text": 'naïve, "quoted"\nline'}) for i in range(n)]


@pytest.mark.django_db
def test_verify_accepts_an_intact_chain(capsys):
    written = _trail()
    verdict = verify()
    assert verdict.intact and verdict.checked == 5 and verdict.head == written[-1].hash
    call_command("verify_audit")
    assert f"Audit chain intact: 5 entries, head {written[-1].hash}" in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_accepts_an_empty_trail():
    assert verify().intact and verify().checked == 0


@pytest.mark.django_db
def test_verify_names_the_row_changed_through_raw_sql():
    written = _trail()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET after = %s WHERE id = %s", ['{"n": 99}', written[2].pk]
        )
    verdict = verify()
    assert not verdict.intact
    assert (verdict.broken_seq, verdict.broken_id, verdict.checked) == (written[2].seq, written[2].pk, 2)
    assert "changed after it was written" in verdict.reason
    with pytest.raises(CommandError, match=rf"broken at entry #{written[2].seq} \(id {written[2].pk}\)"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_verify_sees_a_rewritten_actor_even_with_a_recomputed_hash():
    written = _trail()
    target = AuditEntry.objects.get(pk=written[1].pk)
    target.actor_name = "mallory"
    forged = (
        target.compute_hash()
    )  # the forger fixes this row's hash; the next row still points at the old one
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET actor_name = %s, hash = %s WHERE id = %s",
            ["mallory", forged, target.pk],
        )
    verdict = verify()
    assert verdict.broken_seq == written[2].seq
    assert "previous-entry hash does not match" in verdict.reason


@pytest.mark.django_db
def test_verify_names_the_gap_left_by_a_deleted_row():
    written = _trail()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [written[3].pk])
    verdict = verify()
    assert verdict.broken_seq == written[4].seq
    assert f"entry #{written[3].seq} is missing" in verdict.reason


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    errors = []

    def write(worker):
        try:
            for i in range(10):
                audit.record("test.concurrent", after={"worker": worker, "i": i})
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 81))
    assert verify().intact
