"""kombu's Redis transport: one Redis client per channel instead of one per command, up to
MAX_POP messages per wait on the queue instead of one, and an item on the queue that is not a
message dropped with an error in the log instead of stopping the worker.

Acknowledgements are not emulated (settings.py: `ack_emulation` off), so a delivered message
lives in the worker's memory only: acknowledging or rejecting it needs no Redis, and one that a
worker held when it lost Redis is put back, message by message, when the channel closes; a put
back that cannot reach Redis is reported and skipped by kombu itself. (With emulation on, kombu
5.7 crashed the worker there: an AttributeError from a client gone with the connection,
celery/kombu#582, #970; this module used to catch it.) The rows do not need those messages: the
sweep re-sends every queued row after a worker reconnects or dies (lifecycle/sweep.py), and a
duplicate is claimed once.
"""

from __future__ import annotations

from queue import Empty
from time import monotonic

from kombu.exceptions import InconsistencyError
from kombu.log import get_logger
from kombu.transport import redis
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

logger = get_logger(__name__)

# Messages one wait on the queue may take at most (BLMPOP's COUNT), within the prefetch limit.
# A burst's messages come ten to a round trip instead of one; small, so that one of several
# worker processes does not take the queue's whole backlog while the others idle (issue 18).
MAX_POP = 10


# What reading an item that is not a kombu message raises: not JSON (ValueError), JSON of another
# shape (kombu's Message looks up `properties`, `body`...: KeyError, TypeError). Celery reads the
# message's task itself and handles what it finds wrong there; an error of these kinds from its
# handling of a well-formed message, a bug, is dropped the same way rather than stop the worker.
NOT_A_MESSAGE = (ValueError, KeyError, TypeError)


def _dropped(queue: str, item: bytes | None, exc: BaseException) -> None:
    """An item on a queue that cannot be read as a message (written there by something other than
    Celery, or damaged) is dropped with an error in the log. kombu raises it out of the
    consumer's loop, which stops the worker ("Unrecoverable error") and with it every call it has
    in flight. Its text is not logged: anything may be in it."""
    size = f"{len(item)} bytes" if item is not None else "size unknown"
    logger.error(
        "dropped an item on queue %s that is not a message (%s, %s): something other than the "
        "console writes to the broker's queue, or a message was damaged",
        queue,
        size,
        type(exc).__name__,
    )


class Channel(redis.Channel):
    _sync_client = None
    _multi_pop = None  # Redis has BLMPOP (7.0+): learnt at the first wait
    _in_multi_pop = False  # the wait in flight is a BLMPOP

    def _brpop_start(self, timeout=None):
        """Wait on the queues for up to MAX_POP messages at once (BLMPOP), where Redis has it.

        kombu's BRPOP takes one message per round trip, and each costs the worker's consumer a
        turn of its loop: most of its 570 us per message in a burst of 1,000 (bench/RESULTS.md,
        14:30). BLMPOP (Redis 7.0) waits the same way on the same keys, in the same order, and
        returns up to COUNT messages from the first non-empty one; never more than the prefetch
        limit allows. Older Redis, or one that refuses BLMPOP: BRPOP, as kombu does.
        """
        count = min(self.qos.can_consume_max_estimate() or 1, MAX_POP)
        if count < 2 or not self._has_multi_pop():
            self._in_multi_pop = False
            return super()._brpop_start(timeout)
        if timeout is None:
            timeout = self.brpop_timeout
        queues = self._queue_cycle.consume(len(self.active_queues))
        if not queues:
            return
        prefix = self.global_keyprefix or ""
        keys = [prefix + self._q_for_pri(queue, pri) for pri in self.priority_steps for queue in queues]
        self._in_poll = self.client.connection
        self._in_multi_pop = True
        self._brpop_sent_at = monotonic()
        self.client.connection.send_command("BLMPOP", timeout or 0, len(keys), *keys, "RIGHT", "COUNT", count)

    def _brpop_read(self, **options):
        if not self._in_multi_pop:
            try:
                return super()._brpop_read(**options)
            except NOT_A_MESSAGE as exc:  # kombu's BRPOP took one item, and it was not a message
                _dropped(", ".join(sorted(self.active_queues)), None, exc)
                return True
        try:
            try:
                popped = self.client.parse_response(self.client.connection, "BLMPOP", **options)
            except self.connection_errors:
                # As kombu's BRPOP: disconnect, so that the next turn reconnects.
                self.client.connection.disconnect()
                raise
            except self.ResponseError as exc:
                # A Redis (or a proxy in front of it) that reports 7.0 but refuses BLMPOP: nothing
                # was popped; from the next wait on, kombu's BRPOP.
                logger.warning("Redis refused BLMPOP (%s); waiting on the queue with BRPOP instead", exc)
                self._multi_pop = False
                raise Empty() from exc
            if not popped:
                raise Empty()
            key, items = popped
            key = bytes_to_str(key)[len(self.global_keyprefix or "") :]
            dest = key.rsplit(self.sep, 1)[0]
            self._queue_cycle.rotate(dest)
            self._deliver_all(items, dest)
            return True
        finally:
            self._in_poll = None
            self._in_multi_pop = False
            self._flush_brpop_reauth()

    def _deliver_all(self, items: list, dest: str) -> None:
        """Deliver every message one wait took. An item that is not a message is dropped (see
        `_dropped`); a delivery that fails otherwise is raised, but only once the others are
        delivered: with no acknowledgement emulation, a popped message that is not delivered is
        gone until the sweep's lost-message rule (15 minutes)."""
        failure = None
        for item in items:
            try:
                self.connection._deliver(loads(bytes_to_str(item)), dest)
            except NOT_A_MESSAGE as exc:
                _dropped(dest, item, exc)
            except Exception as exc:  # noqa: BLE001 - raised below, after the rest are delivered
                if failure is None:
                    failure = exc
                else:
                    logger.error("message from %s not delivered: %s", dest, type(exc).__name__)
        if failure is not None:
            raise failure

    def _has_multi_pop(self) -> bool:
        if self._multi_pop is None:
            try:
                with self.conn_or_acquire() as client:
                    version = client.info("server").get("redis_version", "0")
            except self.ResponseError:  # INFO renamed or refused: keep kombu's BRPOP
                version = "0"
            except (*self.connection_errors, InconsistencyError):
                return False  # not now; the BRPOP meets the same error, and the next wait asks again
            self._multi_pop = int(str(version).split(".")[0] or 0) >= 7
        return self._multi_pop

    def _create_client(self, asynchronous=False):
        """One synchronous client per channel and connection pool, instead of one per command.

        kombu builds a new `redis.Redis` for every publish and acknowledgement (`conn_or_acquire`),
        and building one fills its table of ~170 response callbacks: about a tenth of a
        millisecond of CPU per message on each side (issue 18). A client is only a handle on the
        channel's connection pool and is thread-safe; when kombu replaces the pool (a reconnect),
        the next command gets a client on the new one.
        """
        if asynchronous:
            return super()._create_client(asynchronous=True)
        client = self._sync_client
        if client is None or client.connection_pool is not self._pool:
            client = self._sync_client = super()._create_client()
        return client


class Transport(redis.Transport):
    Channel = Channel
