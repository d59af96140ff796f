"""The one backoff: exponential, capped, jittered down to half, never under Retry-After."""

from invocations.fc import backoff


def test_it_doubles_from_the_base_within_the_jitter():
    for attempt, full in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0)]:
        waits = [backoff.delay(attempt, base=0.5, cap=30) for _ in range(200)]
        assert all(full / 2 <= w <= full for w in waits)
        assert max(waits) - min(waits) > full / 10  # jittered, not fixed


def test_it_is_capped():
    assert all(backoff.delay(20, base=1, cap=60) <= 60 for _ in range(100))


def test_it_never_waits_less_than_retry_after():
    assert backoff.delay(0, base=0.5, cap=30, retry_after=7) == 7
    assert backoff.delay(0, base=0.5, cap=30, retry_after=0.01) >= 0.25
