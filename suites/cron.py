"""Five-field cron expressions (minute hour day-of-month month day-of-week), in UTC.

Each field: `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a comma list of those.
Day of week is 0-6 from Sunday (7 is Sunday too). As in cron, when both day fields are
restricted a day matches either of them. No names (`MON`, `JAN`) and no `@daily` shortcuts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
# Far enough for any valid expression (Feb 29 on a given weekday recurs within 28 years).
_HORIZON = timedelta(days=366 * 29)


class CronError(ValueError):
    pass


def _field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if body == "*":
                start, end = low, high
            elif "-" in body:
                a, b = body.split("-", 1)
                start, end = int(a), int(b)
            else:
                start = end = int(body)
                if step_text:
                    end = high
        except ValueError:
            raise CronError(f"the {name} field {text!r} is not understood") from None
        if step < 1 or not (low <= start <= end <= high):
            raise CronError(f"the {name} field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    def matches_day(self, moment: datetime) -> bool:
        weekday = (moment.weekday() + 1) % 7  # Python's Monday=0 -> cron's Sunday=0
        day_ok, weekday_ok = moment.day in self.days, weekday in self.weekdays
        if self.any_day or self.any_weekday:
            return day_ok and weekday_ok
        return day_ok or weekday_ok

    def next_after(self, moment: datetime) -> datetime:
        """The first minute strictly after `moment` that the expression names."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = moment + _HORIZON
        while candidate <= limit:
            if candidate.month not in self.months:
                candidate = (candidate.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
            elif not self.matches_day(candidate):
                candidate = candidate.replace(hour=0, minute=0) + timedelta(days=1)
            elif candidate.hour not in self.hours:
                candidate = candidate.replace(minute=0) + timedelta(hours=1)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
            else:
                return candidate
        raise CronError(f"{self.expression!r} names no time that exists")


def parse(expression: str) -> Cron:
    fields = (expression or "").split()
    if len(fields) != 5:
        raise CronError("a schedule has five fields: minute hour day-of-month month day-of-week")
    minutes, hours, days, months, weekdays = (
        _field(text, name, low, high) for text, (name, low, high) in zip(fields, _FIELDS, strict=True)
    )
    cron = Cron(
        " ".join(fields),
        minutes,
        hours,
        days,
        months,
        frozenset(d % 7 for d in weekdays),
        any_day=fields[2] == "*",
        any_weekday=fields[4] == "*",
    )
    cron.next_after(datetime(2000, 1, 1))  # refuses 30 2 31 2 * and the like
    return cron
