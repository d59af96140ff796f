"""Two runs of a suite side by side: each check's verdict in both, what changed, and its figures.

Checks are matched by name (a suite's checks may be reordered between versions); the
invocations of a matched pair compare like any two invocations (`invocations.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass

from invocations.compare import Delta, metric_deltas
from suites.models import SuiteRun, SuiteRunCheck


@dataclass
class CheckPair:
    name: str
    a: SuiteRunCheck | None
    b: SuiteRunCheck | None

    @property
    def changed(self) -> bool:
        return (self.a and self.a.verdict) != (self.b and self.b.verdict)

    @property
    def duration(self) -> Delta | None:
        if self.a and self.b and self.a.invocation and self.b.invocation:
            return metric_deltas(self.a.invocation, self.b.invocation)[0]
        return None


def compare_runs(a: SuiteRun, b: SuiteRun) -> list[CheckPair]:
    """Every check of either run, in B's order then A's leftovers, paired by name."""
    checks_a = {c.name: c for c in a.run_checks.select_related("invocation")}
    checks_b = {c.name: c for c in b.run_checks.select_related("invocation")}
    names = list(checks_b) + [name for name in checks_a if name not in checks_b]
    return [CheckPair(name, checks_a.get(name), checks_b.get(name)) for name in names]
