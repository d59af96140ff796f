"""kombu's Redis transport, with one Redis client per channel instead of one per command.

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

from kombu.transport import redis


class Channel(redis.Channel):
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
