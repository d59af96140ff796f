"""Suites follow saved events' rules (visibility, versions, audit), travel as files, and run
from the CLI with CI's exit codes and a JUnit report."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEntry
from suites import transfer
from suites.models import Suite
from tests.suites.conftest import check


def actions_for(suite):
    return [
        (e.action, e.actor_name) for e in AuditEntry.objects.filter(object_id=str(suite.uuid)).order_by("seq")
    ]


@pytest.mark.django_db
def test_visibility_versions_and_audit_like_saved_events(
    invoker, other_invoker, admin, viewer, make_suite, as_user
):
    suite = make_suite(invoker, [check("hello")])
    url = reverse("suites:detail", args=[suite.uuid])
    assert as_user(other_invoker).get(url).status_code == 404  # private: does not exist for others
    assert as_user(admin).get(url).status_code == 404
    suite.visibility = "team"
    assert suite.save_edit(invoker) is False  # sharing is not a new version
    assert as_user(viewer).get(url).status_code == 200
    assert as_user(other_invoker).get(reverse("suites:edit", args=[suite.uuid])).status_code == 403
    suite.checks = [check("hello", expect={"json_path": "$.k", "equals": "v"})]
    assert suite.save_edit(invoker) is True
    assert list(suite.versions.values_list("number", flat=True)) == [2, 1]
    as_user(admin).post(reverse("suites:restore", args=[suite.uuid, 1]))
    suite.refresh_from_db()
    assert (suite.version, suite.checks[0]["expect"]) == (3, {})
    as_user(invoker).post(reverse("suites:delete", args=[suite.uuid]))
    as_user(admin).post(reverse("suites:undelete", args=[suite.uuid]))
    assert actions_for(suite) == [
        ("suite.created", "ivan-invoker"),
        ("suite.edited", "ivan-invoker"),
        ("suite.shared", "ivan-invoker"),
        ("suite.edited", "ivan-invoker"),
        ("suite.version_restored", "alice-admin"),
        ("suite.deleted", "ivan-invoker"),
        ("suite.restored", "alice-admin"),
    ]


@pytest.mark.django_db
def test_export_and_import_round_trip_with_the_events(invoker, other_invoker, make_suite, hello_event):
    checks = [
        check("hello", event={"saved": "hello-event"}, expect={"json_path": "$.greeting", "equals": "hi"})
    ]
    suite = make_suite(invoker, checks, description="smoke test")
    archive = transfer.export_zip([suite], invoker)
    importer = transfer.Importer(other_invoker, visibility="private")
    importer.add_upload("suites.zip", archive)
    assert [(o.path, o.status) for o in importer.all_outcomes] == [
        ("suites.zip:event-template/hello-event.json", "created"),
        ("suites.zip:suite/smoke.json", "created"),
    ]
    copy = Suite.objects.get(owner=other_invoker)
    assert (copy.name, copy.description, copy.checks) == ("smoke", "smoke test", suite.checks)
    importer = transfer.Importer(other_invoker, visibility="private")
    importer.add_upload("smoke.json", transfer.suite_file(suite))
    assert [(o.status, o.reason) for o in importer.all_outcomes] == [
        ("updated", "same checks; no new version")
    ]
    assert ("suite.created", "olga-invoker") in actions_for(copy)


@pytest.mark.django_db(transaction=True)
def test_run_suite_exits_0_when_all_pass_and_1_otherwise_with_a_junit_report(
    local, invoker, make_suite, tmp_path
):
    make_suite(
        invoker,
        [
            check("hello", expect={"json_path": "$.k", "equals": "v"}),
            check("fail", expect={"state": "failed"}),
        ],
    )
    report = tmp_path / "junit.xml"
    call_command("run_suite", "smoke", "--junit", str(report), stdout=io.StringIO())
    tree = ET.parse(report).getroot()
    attrib = tree.find("testsuite").attrib
    assert (attrib["tests"], attrib["failures"], attrib["errors"]) == ("2", "0", "0")
    assert [c.attrib["name"] for c in tree.iter("testcase")] == ["hello", "fail"]

    make_suite(invoker, [check("hello", expect={"json_path": "$.k", "equals": "nope"})], name="broken")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "run_suite",
            "broken",
            "--profile",
            "local",
            "--junit",
            str(report),
            stdout=out,
        )
    assert exit_.value.code == 1
    failure = ET.parse(report).getroot().find("testsuite/testcase/failure")
    assert failure.attrib["message"] == 'the result at $.k equals "nope": it was "v"'
    assert "FAIL     hello" in out.getvalue()


@pytest.mark.django_db
def test_the_api_creates_and_runs_a_suite(invoker, as_user):
    client = as_user(invoker)
    created = client.post(
        "/api/v1/suites/", {"name": "api-suite", "checks": [check("hello")]}, content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    bad = client.post(
        "/api/v1/suites/",
        {"name": "bad", "checks": [check("hello", expect={"state": "maybe"})]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    run = client.post(f"/api/v1/suites/{created.json()['uuid']}/runs/", {}, content_type="application/json")
    assert run.status_code == 201
    # No profile named local here: refused, recorded, finished at once.
    got = client.get(f"/api/v1/suite-runs/{run.json()['uuid']}/").json()
    assert (got["verdict"], got["checks"][0]["verdict"]) == ("failed", "not_run")


@pytest.mark.django_db
def test_one_suites_visibility_is_the_querysets_rule(invoker, other_invoker, viewer, make_suite):
    """Notifications ask one suite (`is_visible_to`); lists ask the queryset: the two agree."""
    private = make_suite(invoker, [check("hello")], name="mine")
    team = make_suite(invoker, [check("hello")], name="ours", visibility="team")
    for user in (invoker, other_invoker, viewer):
        for suite in (private, team):
            assert suite.is_visible_to(user) == Suite.objects.visible_to(user).filter(pk=suite.pk).exists()
    assert not private.is_visible_to(other_invoker) and team.is_visible_to(viewer)


@pytest.mark.django_db
def test_a_deleted_suite_stops_its_schedules_and_names_are_checked_as_events_are(
    invoker, other_invoker, make_suite
):
    """The rules suites share with saved events (savedevents/ownership.py), said in a suite's words."""
    from django.core.exceptions import ValidationError

    from suites import schedules

    suite = make_suite(invoker, [check("hello")], visibility="team")
    schedule = schedules.add(suite, invoker, "*/15 * * * *")
    with pytest.raises(ValidationError, match="You already have a suite named 'smoke'"):
        make_suite(invoker, [check("hello")])
    with pytest.raises(ValidationError, match="The team already has a suite named 'smoke'"):
        make_suite(other_invoker, [check("hello")], visibility="team")
    # A name taken between the check and the INSERT: the constraint's error in the same words.
    racing = Suite(owner=invoker, name="smoke", checks=[check("hello")])
    with pytest.raises(ValidationError, match="A suite named 'smoke' exists already"):
        racing._save_or_name_error()
    suite.soft_delete(invoker)
    schedule.refresh_from_db()
    assert suite.is_deleted and schedule.enabled is False
    assert actions_for(suite)[-1] == ("suite.deleted", "ivan-invoker")
