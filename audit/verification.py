"""Everything `manage.py verify_audit` checks, one verdict per check.

1. chain     the sealed entries, link by link (audit.chain.verify)
2. unsealed  entries written since the last seal, each against its own MAC
3. digests   the digest file: every line signed with the key, chained to the one before, and the
             chain in the database still holding the head each line names (so a truncated or
             rewritten chain shows, up to the last digest)
4. copies    the database's copies of the digests all in the file (lines cut from its end show)
5. window    what no digest covers yet: entries sealed or written after the last digest can be
             removed without trace until the next checkpoint (AUDIT_CHECKPOINT_INTERVAL)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from audit import chain, digests, keys
from audit.models import AuditCheckpoint, AuditEntry

OK, WARN, FAIL = "ok", "warning", "TAMPERED"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    text: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    verdict: chain.Verdict | None = None
    last_digest: dict | None = None

    @property
    def intact(self) -> bool:
        return all(check.status != FAIL for check in self.checks)

    def add(self, name: str, status: str, text: str) -> None:
        self.checks.append(Check(name, status, text))


def _digest_problems(lines: list[dict]) -> list[str]:
    """What is wrong with the file on its own: signatures, numbering, the chain of lines."""
    problems, prev, number, count, current_key = [], AuditEntry.GENESIS, 0, 0, keys.key_id()
    for index, line in enumerate(lines, start=1):
        where = f"line {index}"
        if "unreadable" in line or not all(k in line for k in (*digests.FIELDS, "signature")):
            problems.append(f"{where} is not a digest")
            continue
        where = f"digest {line['n']} ({where})"
        if line["key_id"] != current_key:
            problems.append(
                f"{where} was signed with another key ({line['key_id']}), not AUDIT_KEY's ({current_key})"
            )
        elif not keys.same(digests.sign(line), line["signature"]):
            problems.append(f"{where} does not match its signature (altered)")
        if line["n"] != number + 1:
            problems.append(
                f"{where} follows digest {number}: digests {number + 1}..{line['n'] - 1} are missing"
            )
        elif line["prev"] != prev:
            problems.append(f"{where} does not chain to the digest before it (one was removed or replaced)")
        if not isinstance(line["count"], int) or line["count"] < count:
            problems.append(
                f"{where} says the chain had {line['count']} entries, fewer than the digest before"
            )
        prev, number = line["signature"], line["n"] if isinstance(line["n"], int) else number + 1
        count = line["count"] if isinstance(line["count"], int) else count
    return problems


def _stale(lines: list[dict]) -> str:
    """A word when checkpoints seem to have stopped: the window is only as short as they are frequent."""
    interval = settings.AUDIT_CHECKPOINT_INTERVAL
    try:
        at = datetime.fromisoformat(lines[-1]["at"])
    except (IndexError, KeyError, TypeError, ValueError):
        return ""
    if interval > 0 and timezone.now() - at > timedelta(seconds=2 * interval + 60):
        return f" (the last digest is older than twice AUDIT_CHECKPOINT_INTERVAL={interval} s: is the beat running?)"
    return ""


def run() -> Report:
    report = Report()
    lines = digests.read()
    well_formed = [line for line in lines if isinstance(line.get("count"), int)]
    verdict = chain.verify(watch={line["count"] for line in well_formed})
    report.verdict = verdict

    # 1. the sealed chain
    if verdict.intact:
        report.add("chain", OK, f"{verdict.checked} sealed entries link up, head {verdict.head}")
    else:
        report.add(
            "chain",
            FAIL,
            f"broken at entry #{verdict.broken_seq} (id {verdict.broken_id}): {verdict.reason}; "
            f"{verdict.checked} entries before it are intact",
        )

    # 2. entries not sealed yet
    unsealed = chain.check_unsealed()
    if unsealed.forged:
        names = ", ".join(f"#{e.seq}" for e in unsealed.forged[:10])
        report.add(
            "unsealed", FAIL, f"{len(unsealed.forged)} unsealed entries do not match their MAC: {names}"
        )
    elif unsealed.count:
        report.add(
            "unsealed",
            OK,
            f"{unsealed.count} entries not yet sealed (oldest #{unsealed.oldest.seq} at "
            f"{unsealed.oldest.at:%Y-%m-%d %H:%M:%S}), each matching its MAC",
        )
    else:
        report.add("unsealed", OK, "every entry is sealed")

    # 3. the digest file, and the chain against it
    copies = list(AuditCheckpoint.objects.order_by("number").values_list("number", "signature"))
    problems = _digest_problems(lines)
    for line in well_formed:
        count = line["count"]
        if count == 0:
            continue
        if count > verdict.checked and verdict.intact:
            problems.append(
                f"digest {line.get('n')} says the chain had {count} entries at {line.get('at')}; "
                f"it has {verdict.checked} now (entries were removed from its end)"
            )
        elif count in verdict.seen and not keys.same(verdict.seen[count][1], line.get("head_hash")):
            problems.append(
                f"digest {line.get('n')} names another head at chain position {count} (the chain was rewritten)"
            )
    if problems:
        report.add("digests", FAIL, "; ".join(problems[:10]))
    elif lines:
        last = lines[-1]
        report.last_digest = last
        report.add(
            "digests",
            OK,
            f"{len(lines)} digests signed and chained; the last, {last['n']} at {last['at']}, "
            f"matches the chain at {last['count']} entries",
        )
    elif copies:
        report.add(
            "digests", FAIL, f"{digests.path()} is missing or empty, but {len(copies)} digests were written"
        )
    else:
        report.add("digests", WARN, f"no digest yet in {digests.path()} (run manage.py audit_checkpoint)")

    # 4. the database's copies of the digests against the file
    in_file = {line.get("n"): line.get("signature") for line in lines}
    missing = [number for number, signature in copies if not keys.same(in_file.get(number), signature)]
    if missing:
        report.add(
            "copies",
            FAIL,
            f"digests {', '.join(map(str, missing[:10]))} recorded in the database are missing from or "
            f"differ in {digests.path()} (the file was cut, replaced or removed)",
        )
    else:
        report.add("copies", OK, f"{len(copies)} digests recorded in the database, all in the file")

    # 5. what no digest covers yet
    covered = lines[-1].get("count", 0) if lines and isinstance(lines[-1].get("count"), int) else 0
    after = max(verdict.checked - covered, 0) + unsealed.count
    if after:
        since = f"since digest {lines[-1].get('n')} at {lines[-1].get('at')}" if lines else "(no digest yet)"
        report.add(
            "window",
            WARN,
            f"{after} entries written or sealed {since} are not covered by a digest: removing them from the "
            "end would go unseen until the next checkpoint" + _stale(lines),
        )
    else:
        report.add("window", OK, "every entry is covered by the last digest")
    return report
