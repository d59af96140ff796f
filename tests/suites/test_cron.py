"""The five-field cron parser, UTC."""

from datetime import UTC, datetime

import pytest

from suites.cron import CronError, parse


def at(*args):
    return datetime(*args, tzinfo=UTC)


def test_next_slot():
    assert parse("*/15 * * * *").next_after(at(2030, 1, 1, 10, 7, 30)) == at(2030, 1, 1, 10, 15)
    assert parse("0 3 * * *").next_after(at(2030, 1, 1, 3, 0)) == at(2030, 1, 2, 3, 0)
    assert parse("30 9 * * 1-5").next_after(at(2030, 1, 4, 10, 0)) == at(2030, 1, 7, 9, 30)  # Fri -> Mon
    assert parse("0 0 1 */3 *").next_after(at(2030, 2, 10)) == at(2030, 4, 1)
    assert parse("0 12 29 2 *").next_after(at(2030, 1, 1)) == at(2032, 2, 29, 12, 0)
    assert parse("0 0 13 * 5").next_after(at(2030, 1, 1)) == at(2030, 1, 4)  # day OR weekday, as cron


@pytest.mark.parametrize(
    "text", ["* * * *", "60 * * * *", "* 24 * * *", "a * * * *", "*/0 * * * *", "0 0 31 2 *"]
)
def test_refuses(text):
    with pytest.raises(CronError):
        parse(text)
