"""lifecycle.claims: a worker's threads that claim at once share one statement.

Real threads against PostgreSQL (committed rows: each thread has its own connection). To make the
sharing certain rather than likely, the first statement is held until the other threads are
waiting behind it; the statements themselves are the product's (`claim_many`).
"""

import threading

import psycopg.errors
import pytest
from django.db import OperationalError, connection

from invocations.lifecycle import claimant, claims
from invocations.models import Invocation, InvocationState
from tests.core.test_runner import queued

pytestmark = pytest.mark.django_db(transaction=True)


def held_first(coalescer: claims.Claims, waiting: int, claim_many=None):
    """`claim_many`, its first statement held until `waiting` more claims wait behind it; each
    statement's pks are kept in `.made`."""
    real = claim_many or Invocation.objects.claim_many
    first = threading.Event()
    made = []

    def hold(pks):
        made.append(list(pks))
        if not first.is_set():
            first.set()
            for _ in range(500):
                with coalescer._lock:
                    if len(coalescer._waiting) >= waiting:
                        break
                threading.Event().wait(0.01)
        return real(pks)

    hold.first = first
    hold.made = made
    return hold


def start_after_the_first(coalescer: claims.Claims, threads: list) -> None:
    """The first thread's statement under way (held), then the others."""
    threads[0].start()
    assert coalescer._claim_many.first.wait(10)
    for thread in threads[1:]:
        thread.start()


def claim_in_threads(coalescer: claims.Claims, pks: list[int]) -> list:
    """Each pk claimed from its own thread, started in order; what each got (a row or an error)."""
    got = [None] * len(pks)

    def one(i, pk):
        try:
            got[i] = coalescer.claim(pk)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            got[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i, pk)) for i, pk in enumerate(pks)]
    start_after_the_first(coalescer, threads)
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive(), "a claim never returned"
    return got


@pytest.fixture
def rows(invoker, nowhere_profile):
    return [queued(invoker, nowhere_profile) for _ in range(9)]


def test_claims_made_at_once_share_one_statement_and_each_thread_gets_its_row(rows):
    coalescer = claims.Claims()
    coalescer._claim_many = held_first(coalescer, waiting=8)
    got = claim_in_threads(coalescer, [row.pk for row in rows])
    # The first alone (nobody was waiting yet), the eight that came meanwhile in one more.
    made = coalescer._claim_many.made
    assert [sorted(pks) for pks in made] == [[rows[0].pk], sorted(row.pk for row in rows[1:])]
    assert [row.pk for row in got] == [row.pk for row in rows]
    for claimed in got:
        assert claimed.state == InvocationState.RUNNING and claimed.claimed_by == claimant.name()
        assert claimed.profile.pk == rows[0].profile_id  # the profile came with the claim
    assert set(Invocation.objects.filter(pk__in=[r.pk for r in rows]).values_list("state", "attempts")) == {
        (InvocationState.RUNNING, 1)
    }


def test_a_row_claimed_twice_in_one_statement_goes_to_one_thread(rows):
    coalescer = claims.Claims()
    coalescer._claim_many = held_first(coalescer, waiting=3)
    # rows[1] asked for by three threads at once (a message delivered three times).
    got = claim_in_threads(coalescer, [rows[0].pk, rows[1].pk, rows[1].pk, rows[1].pk])
    assert coalescer._claim_many.made == [[rows[0].pk], [rows[1].pk] * 3]
    assert got[0].pk == rows[0].pk
    assert sorted(g.pk for g in got[1:] if g is not None) == [rows[1].pk]
    assert got[1:].count(None) == 2
    assert Invocation.objects.get(pk=rows[1].pk).attempts == 1


def test_a_failed_statement_fails_each_thread_it_served_and_the_next_claims_work(rows):
    coalescer = claims.Claims()
    calls = []

    def down(pks):
        calls.append(pks)
        if len(calls) <= 2:
            raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")
        return Invocation.objects.claim_many(pks)

    coalescer._claim_many = held_first(coalescer, waiting=4, claim_many=down)
    got = claim_in_threads(coalescer, [row.pk for row in rows[:5]])
    assert all(isinstance(g, OperationalError) and "Connection refused" in str(g) for g in got)
    # Two statements, two leaders raising the error itself; the three that waited on the second
    # raise copies of it, caused by it, so that no exception collects several threads' tracebacks.
    assert len({id(g) for g in got}) == 5
    originals = [g for g in got if g.__cause__ is None]
    assert len(originals) == 2
    assert all(g.__cause__ is originals[1] or g.__cause__ is originals[0] for g in got if g not in originals)
    # Nothing was claimed, nobody is left leading: the rows stay queued and claim once it is back.
    assert not Invocation.objects.filter(pk__in=[r.pk for r in rows], state=InvocationState.RUNNING).exists()
    assert coalescer.claim(rows[0].pk).state == InvocationState.RUNNING


def test_a_deadlock_makes_the_leader_claim_one_by_one(rows):
    coalescer = claims.Claims()
    asked = []

    def deadlocking(pks):
        asked.append(list(pks))
        if len(pks) > 1:
            # What Django raises for PostgreSQL's deadlock_detected (40P01).
            try:
                raise psycopg.errors.DeadlockDetected("deadlock detected")
            except psycopg.errors.DeadlockDetected as exc:
                raise OperationalError(*exc.args) from exc
        return Invocation.objects.claim_many(pks)

    coalescer._claim_many = held_first(coalescer, waiting=3, claim_many=deadlocking)
    got = claim_in_threads(coalescer, [row.pk for row in rows[:4]])
    assert [g.pk for g in got] == [row.pk for row in rows[:4]]
    # The shared statement (refused), then the same rows one statement each.
    assert asked[0] == [rows[0].pk] and sorted(asked[1]) == [row.pk for row in rows[1:4]]
    assert asked[2:] == [[pk] for pk in asked[1]]


def test_an_interrupted_leader_leaves_nobody_waiting(rows):
    coalescer = claims.Claims()

    def interrupted(pks):
        if len(pks) > 1:
            raise KeyboardInterrupt
        return Invocation.objects.claim_many(pks)

    coalescer._claim_many = held_first(coalescer, waiting=3, claim_many=interrupted)
    got = [None] * 4
    errors = []

    def one(i, pk):
        try:
            got[i] = coalescer.claim(pk)
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i, row.pk)) for i, row in enumerate(rows[:4])]
    start_after_the_first(coalescer, threads)
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive(), "a claim was left waiting"
    assert got[0].pk == rows[0].pk
    assert sorted(type(e).__name__ for e in errors) == [
        "ClaimInterrupted",
        "ClaimInterrupted",
        "KeyboardInterrupt",
    ]
    # The lead was given up: the next claim makes its statement.
    assert coalescer.claim(rows[1].pk).pk == rows[1].pk
    # What the task logs for the ones left unclaimed does not blame the database.
    from invocations.lifecycle.run import DatabaseUnavailable

    interrupted = next(e for e in errors if type(e).__name__ == "ClaimInterrupted")
    said = str(DatabaseUnavailable(7, interrupted))
    assert (
        said == "invocation 7: its claim was interrupted (the thread making it for several threads stopped)"
    )


def test_inside_a_transaction_a_thread_claims_alone(rows, monkeypatch):
    """A claim inside a transaction is not queued behind another thread's statement: the thread
    that would make the next one could not see this transaction's row (and would say None)."""
    from django.db import transaction

    coalescer = claims.Claims()
    release = threading.Event()

    def held(pks):
        if not release.is_set():
            release.wait(10)  # the first statement, under way until the end of the test
        return Invocation.objects.claim_many(pks)

    coalescer._claim_many = held
    monkeypatch.setattr(claims, "_claims", coalescer)
    leader = threading.Thread(target=lambda: (coalescer.claim(rows[0].pk), connection.close()))
    waiter = threading.Thread(target=lambda: (coalescer.claim(rows[1].pk), connection.close()))
    leader.start()
    waiting_for(lambda: coalescer._leading)
    waiter.start()
    waiting_for(lambda: len(coalescer._waiting) == 1)  # the next leader: another thread
    result = {}

    def in_transaction():
        try:
            with transaction.atomic():
                row = queued(rows[0].user, rows[0].profile)
                result["pk"], result["claimed"] = row.pk, claims.claim(row.pk)
        finally:
            connection.close()

    mine = threading.Thread(target=in_transaction)
    mine.start()
    mine.join(5)  # claimed alone, it is done long before; queued, it would wait for the release
    release.set()
    for thread in (mine, leader, waiter):
        thread.join(10)
    assert result["claimed"] is not None and result["claimed"].pk == result["pk"]
    assert Invocation.objects.get(pk=rows[1].pk).state == InvocationState.RUNNING


def waiting_for(condition, seconds: float = 10) -> None:
    for _ in range(int(seconds * 100)):
        if condition():
            return
        threading.Event().wait(0.01)
    raise AssertionError("the threads did not get there")
