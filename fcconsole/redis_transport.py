"""kombu's Redis transport, with one fix that lets a worker outlive a Redis outage.

kombu 5.7.0: when the consumer loses Redis while it holds unacknowledged messages (any call in
flight: tasks are acknowledged late), Celery collects the connection (the transport's client goes
to None) and then closes the channel, whose close tries to push those messages back onto the
queue through a new client built from that missing client: AttributeError, which Celery does not
count as a connection error, so the worker logs "Unrecoverable error" and exits (seen in
tests/faults; upstream reports of the same path: celery/kombu#582, #970). The same happens when a
call that was running through the outage ends and acknowledges its message on the lost channel. The push back cannot
reach a Redis that is gone anyway; the messages stay in Redis's unacked set, and our rows do not
need them: the sweep re-sends every queued row after a worker reconnects (lifecycle/sweep.py),
and a duplicate is claimed once. So a restore that fails this way is logged and skipped; a restore
at a clean shutdown, with Redis there, still happens.
"""

from __future__ import annotations

import logging

from kombu.transport import redis

log = logging.getLogger(__name__)


class QoS(redis.QoS):
    """The messages a channel holds; what it cannot do once its connection is gone, it skips."""

    def ack(self, delivery_tag):
        try:
            return super().ack(delivery_tag)
        except AttributeError:
            # A call that began before the outage ended after it: its message was delivered on the
            # lost connection. It stays in Redis's unacked set and comes back after the visibility
            # timeout, when the claim finds its row ended and does nothing.
            log.warning(
                "message %s came on a broker connection since lost: left unacknowledged", delivery_tag
            )
            return None

    def reject(self, delivery_tag, requeue=False):
        try:
            return super().reject(delivery_tag, requeue=requeue)
        except AttributeError:
            log.warning("message %s came on a broker connection since lost: not rejected", delivery_tag)
            return None

    def restore_unacked_once(self, stderr=None):
        try:
            return super().restore_unacked_once(stderr)
        except AttributeError as exc:
            log.warning(
                "broker connection already gone: %s unacknowledged message(s) left in Redis (%s); "
                "the sweep re-sends their invocations",
                len(self._delivered),
                exc,
            )
            return None


class Channel(redis.Channel):
    QoS = QoS
    _sync_client = None

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
