"""A finished run as JUnit XML, the report format CI systems read."""

from __future__ import annotations

from xml.etree import ElementTree as ET


def _seconds(check) -> str:
    ms = check.invocation.duration_ms if check.invocation and check.invocation.duration_ms is not None else 0
    return f"{ms / 1000:.3f}"


def report(run) -> bytes:
    checks = list(run.run_checks.select_related("invocation"))
    failures = [c for c in checks if c.verdict == "failed"]
    errors = [c for c in checks if c.verdict == "not_run"]
    suite = ET.Element(
        "testsuite",
        name=run.suite.name,
        tests=str(len(checks)),
        failures=str(len(failures)),
        errors=str(len(errors)),
        timestamp=run.created_at.isoformat(),
    )
    for check in checks:
        case = ET.SubElement(
            suite, "testcase", name=check.name, classname=run.suite.name, time=_seconds(check)
        )
        if check.verdict == "failed":
            unmet = [f"{j['text']}: {j['detail']}" for j in check.failed_judgements] or [check.reason]
            failure = ET.SubElement(case, "failure", message=unmet[0])
            failure.text = "\n".join(unmet)
        elif check.verdict == "not_run":
            ET.SubElement(case, "error", message=check.reason)
        if check.invocation is not None:
            ET.SubElement(case, "system-out").text = check.invocation.log_tail
    document = ET.Element("testsuites", name=run.suite.name, tests=str(len(checks)))
    document.append(suite)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)
