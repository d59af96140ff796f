"""What the suites app announces; other apps (notifications) listen, this app imports none of them.

`run_finished` is sent once per run, after the transaction that wrote its verdict commits:

    run_finished.send(sender=SuiteRun, run=<SuiteRun>, passed=<bool>, previous_passed=<bool | None>)

- `run`: the finished `suites.models.SuiteRun` (its `suite`, `run_checks` with their
  `judgements`, `user`, `source` ("web", "api", "cli" or "schedule") and `schedule`).
- `passed`: the run's verdict, True when every check passed.
- `previous_passed`: the verdict of the same suite's previous finished run (by finish time),
  None when this is its first. `passed=False, previous_passed=True` is "started failing";
  `passed=True, previous_passed=False` is "recovered".

Receivers run in the process that finished the run (a worker running the periodic task, a web
request polling the run page, or the CLI); an exception in one is logged, not raised
(`send_robust`), so a broken receiver never undoes or blocks a verdict.
"""

from django.dispatch import Signal

run_finished = Signal()
