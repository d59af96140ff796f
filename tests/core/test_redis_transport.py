"""fcconsole.redis_transport against the real Redis: several messages per wait, within the limit.

kombu's own consumer loop (`drain_events`: the poller, BLMPOP/BRPOP, delivery), our transport,
a queue of its own under this run's key prefix. How many messages each turn of the loop
delivered says how many each wait took (BRPOP: one).
"""

import shutil
import subprocess
import uuid

import pytest
import redis
from django.conf import settings
from kombu import Connection, Consumer, Exchange, Producer, Queue

from fcconsole import redis_transport
from tests.fc.edge_server import free_port
from tests.fixtures import waiting

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"), reason="the Redis transport needs Redis"
)


def consume(
    count: int,
    *,
    prefetch: int,
    multi_pop: bool | None = None,
    url: str | None = None,
    junk_after: int | None = None,
    junk: bytes = b"",
) -> tuple[list[int], list[int]]:
    """Publish `count` messages, then take them all: (bodies in order, messages per wait).
    `junk_after`: the raw item `junk` is pushed onto the queue after that many messages."""
    name = f"transport-test-{uuid.uuid4().hex[:8]}"
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    with Connection(
        url or settings.CELERY_BROKER_URL,
        transport="fcconsole.redis_transport:Transport",
        transport_options=options,
    ) as connection:
        queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
        channel = connection.channel()
        producer = Producer(channel, exchange=queue.exchange, routing_key=name)
        queue(channel).declare()
        for n in range(count):
            if n == junk_after:
                prefix = options.get("global_keyprefix", "")
                redis.Redis.from_url(url or settings.CELERY_BROKER_URL).lpush(prefix + name, junk)
            producer.publish({"n": n})
        got, per_wait = [], []

        def received(body, message):
            got.append(body["n"])
            message.ack()

        consumer_channel = connection.channel()
        if multi_pop is not None:
            consumer_channel._multi_pop = multi_pop
        with Consumer(consumer_channel, [queue], callbacks=[received]) as consumer:
            consumer.qos(prefetch_count=prefetch)
            while len(got) < count:
                seen = len(got)
                connection.drain_events(timeout=5)
                per_wait.append(len(got) - seen)
        queue(channel).delete()
    return got, per_wait


def test_a_backlog_comes_several_messages_per_wait_in_order():
    got, per_wait = consume(25, prefetch=100)
    assert got == list(range(25))
    # Ten per wait (MAX_POP): 25 messages in three waits, not 25.
    assert redis_transport.MAX_POP == 10
    assert per_wait == [10, 10, 5]


def test_a_wait_takes_no_more_than_the_prefetch_limit_allows():
    # Unacknowledged messages count against the limit: each wait may take only what is free.
    got, per_wait = consume(7, prefetch=3)
    assert got == list(range(7))
    assert per_wait[0] == 3 and max(per_wait) <= 3


def test_with_one_message_allowed_or_an_older_redis_it_is_kombus_brpop():
    got, per_wait = consume(3, prefetch=1)
    assert got == [0, 1, 2] and per_wait == [1, 1, 1]
    # A Redis without BLMPOP (before 7.0), as the first wait would have found it.
    got, per_wait = consume(3, prefetch=100, multi_pop=False)
    assert got == [0, 1, 2] and per_wait == [1, 1, 1]


@pytest.mark.parametrize("junk", [b"garbage!", b'{"garbage": "a kombu message"}', b"[1, 2]"])
@pytest.mark.parametrize("multi_pop", [True, False], ids=["BLMPOP", "BRPOP"])
def test_an_item_that_is_not_a_message_is_dropped_and_costs_nothing_else(junk, multi_pop, caplog):
    """Something other than Celery wrote to the queue. kombu raises it out of the consumer's loop,
    which stops a worker ("Unrecoverable error") with every call it has in flight; here it is
    dropped with an error in the log (without its text), and the messages it came with, in the
    same wait or after it, are all delivered."""
    got, per_wait = consume(6, prefetch=100, junk_after=3, junk=junk, multi_pop=multi_pop)
    assert got == list(range(6))
    assert per_wait == ([6] if multi_pop else [1, 1, 1, 0, 1, 1, 1])
    dropped = [r for r in caplog.records if "that is not a message" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].levelname == "ERROR"
    assert junk.decode() not in caplog.text


@pytest.fixture
def redis_without_blmpop(tmp_path):
    """A redis-server of its own that reports its version (7.x) but has no BLMPOP, as a proxy or
    a managed Redis that renames commands would."""
    port = free_port()
    proc = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--rename-command", "BLMPOP", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        waiting.wait_until(lambda: _answers(url), seconds=10, what=f"redis on {port}")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _answers(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_timeout=0.5).ping()
    except redis.RedisError:
        return False


def test_a_redis_that_refuses_blmpop_gets_brpop_and_loses_nothing(redis_without_blmpop, caplog):
    got, per_wait = consume(12, prefetch=100, url=redis_without_blmpop)
    assert got == list(range(12))
    # The first wait was refused (nothing popped; the same turn waited again), every one after it
    # a BRPOP of one message.
    assert per_wait == [1] * 12
    assert caplog.text.count("Redis refused BLMPOP") == 1
