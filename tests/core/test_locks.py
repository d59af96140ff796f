"""Locks in the shared cache (invocations.lifecycle.locks): the sweep's and each tracker poll's."""

from django.core.cache import cache

from invocations.lifecycle import locks


def test_a_lock_is_held_once_and_released_on_the_way_out():
    with locks.held("test:lock-once", 30) as first:
        with locks.held("test:lock-once", 30) as second:
            assert (first, second) == (True, False)
        assert cache.get("test:lock-once") is not None  # the loser released nothing
    assert cache.get("test:lock-once") is None


def test_a_holder_whose_lock_expired_and_was_taken_does_not_release_the_new_holders():
    with locks.held("test:lock-expired", 30) as mine:
        assert mine
        cache.set("test:lock-expired", "the next holder's", 30)  # ours expired; another took it
    assert cache.get("test:lock-expired") == "the next holder's"
    cache.delete("test:lock-expired")
