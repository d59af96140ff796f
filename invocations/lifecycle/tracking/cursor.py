"""Which page of FC's listing a function's next poll reads, and what a page read tells it.

Pure: no database, no cache, no network. `poll` loads a `Cursor` from the cache, asks it for the
query, makes the one List call, and hands the records back to `after_head` or `after_sweep`.
Times are FC start times in epoch milliseconds unless named otherwise.

- Normally the **head**: the first PAGE records from the function's earliest unfinished task.
  That is where FC changes tasks (the running ones end, the next queued ones start), so a change
  there reaches its row within one interval. Where the head starts is `head_begin`.
- Every `sweep_every`-th poll of a function (the functions on different beats), the next page of
  the **sweep**: a listing over the rest of the function's tasks, continuing where its previous
  page ended and starting again after the head when it reaches the last page. It sees what
  changes deep in the queue (a task stopped outside the console, an out-of-order end) and gives
  rows their FC start time before the head reaches them. A full pass over N unfinished tasks
  takes about ceil(N / PAGE) * sweep_every intervals: that bounds how late such a change reaches
  its row.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# FC's page cap for the listing (fc-api.md §4.1): the most a poll's one call sees.
PAGE = 100
# FC statuses after which a task never changes again (fc-api.md §4.3).
END_STATUSES = frozenset({"Succeeded", "Failed", "Expired", "Invalid", "Stopped"})
# FC's clocks and ours differ: a task whose FC start time we do not know yet is looked for from
# this long before our send.
START_SLACK = timedelta(minutes=5)


def from_start(ms: int) -> int:
    """startedTimeBegin for a listing that must show the record starting at `ms`.

    Whether FC's startedTimeBegin is inclusive is unconfirmed (fc-api.md §4.1; fclocal's is):
    every listing asks from one millisecond earlier, so it shows that record either way, at the
    cost of the odd record listed twice.
    """
    return ms - 1


def to_ms(value: datetime) -> int:
    return round(value.timestamp() * 1000)


def from_ms(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


@dataclass
class Cursor:
    """What one function's polls remember between them (kept in the cache; lost: start afresh).

    polls: polls so far, the sweep's turn when a multiple of `sweep_every`; it starts at a number
        drawn from the function's name (`for_function`), so functions take their sweep turns on
        different beats.
    floor: FC start time of the first unfinished record the last head page showed: every record
        before it has ended (an ended record never changes) or is no task of ours.
    sweep: the sweep's next page: {"query", "token", "last"} (the filters it lists with, FC's
        nextToken, the FC start time of its page's last record); None between passes.
    pass_started, swept_since: when (epoch s, our clock) the sweep's current pass started, and
        when the last complete pass had started: every task sent well before that was listed.
    head_end: this poll's head page showed every task that started before this (infinite when it
        was the last page); None when this poll read the sweep. Not kept between polls.
    """

    polls: int = 0
    floor: int | None = None
    sweep: dict | None = None
    pass_started: float | None = None
    swept_since: float | None = None
    head_end: float | None = field(default=None, compare=False)

    KEPT = ("polls", "floor", "sweep", "pass_started", "swept_since")

    @classmethod
    def for_function(cls, name: tuple, saved: dict | None) -> Cursor:
        if saved:
            return cls(**{key: saved[key] for key in cls.KEPT if key in saved})
        return cls(polls=zlib.crc32(repr(name).encode()))

    def saved(self) -> dict:
        return {key: getattr(self, key) for key in self.KEPT}

    def sweeps_now(self, sweep_every: int) -> bool:
        """Count this poll; whether it reads the sweep's next page rather than the head."""
        self.polls += 1
        return self.sweep is not None and self.polls % sweep_every == 0

    # -- the head -------------------------------------------------------------------------------
    def head_begin(self, placed: datetime | None, unplaced_sent: datetime | None) -> int:
        """Where the head page starts: the one rule for it.

        `placed`: the earliest FC start time of the function's tracked rows; `unplaced_sent`: the
        earliest send of a row FC has not placed yet. No tracked task can be listed before
        either (less START_SLACK for FC's clock against ours; a just sent task comes last in its
        function's queue: fclocal's startedTime is its acceptance time). The floor, where the
        last head page found its first unfinished record, is later still once the queue moves:
        starting there keeps the head moving with the queue and never fills it with tasks that
        ended before the earliest unfinished one (which a slack of minutes before a burst of
        sends would do, page after page, until the sweep had placed every row).
        """
        unplaced = unplaced_sent and unplaced_sent - START_SLACK
        begin = to_ms(min(at for at in (placed, unplaced) if at))
        return from_start(max(begin, self.floor or 0))

    def after_head(self, records: list[dict], next_token: str | None, query: dict, now: float) -> None:
        """Move on after reading the head page `records` (listed with `query`); `now` epoch s."""
        last = _last_start(records)
        self.head_end = (last or 0) if next_token else math.inf
        unfinished = [
            r["startedTime"] for r in records if r.get("status") not in END_STATUSES and r.get("startedTime")
        ]
        if unfinished:
            self.floor = unfinished[0]
        elif next_token and last:
            self.floor = last  # a whole page of ended records: the first unfinished one is further on
        if not next_token:
            self.sweep = None  # the head showed every task: nothing left to sweep
        elif self.sweep is None or (self.sweep["last"] or 0) < (last or 0):
            # The sweep goes on after the head; a sweep the head has caught up with skips to it.
            if self.sweep is None:
                self.pass_started = now
            self.sweep = {"query": query, "token": next_token, "last": last}

    # -- the sweep ------------------------------------------------------------------------------
    def sweep_page(self) -> tuple[dict, str | None]:
        """The query and token that read the sweep's next page.

        The sweep goes on from the FC start time of its last record, not with FC's nextToken: the
        token comes back a few polls later, and whether FC still takes a token that old is
        unconfirmed (fc-api.md §4.1 says nothing of its lifetime). Starting there lists its last
        record again (`from_start`), which costs a place on the page. Only when a whole page
        started within one millisecond does the time not move, and the token is used; a token FC
        refuses starts the sweep again after the head (`sweep_failed`).
        """
        query, last = self.sweep["query"], self.sweep["last"]
        if last is not None and from_start(last) > query["started_time_begin"]:
            return {**query, "started_time_begin": from_start(last)}, None
        return query, self.sweep["token"]

    def after_sweep(self, records: list[dict], next_token: str | None, query: dict) -> None:
        if next_token:
            self.sweep = {"query": query, "token": next_token, "last": _last_start(records)}
        else:
            self.sweep, self.swept_since = None, self.pass_started

    def sweep_failed(self) -> None:
        """FC refused the sweep's page (a token it no longer takes): start again after the head."""
        self.sweep = None


def _last_start(records: list[dict]):
    starts = [record["startedTime"] for record in records if record.get("startedTime")]
    return starts[-1] if starts else None
