"""`manage.py import_syaml`: a project's fc functions become pinned targets of the invoke form."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from invocations.models import CredentialProfile, PinnedTarget

PROJECT = """\
edition: 1.0.0
name: shop
access: team-dev
vars:
  region: cn-shanghai
  service:
    name: shop-svc
    description: demo
services:
  api:
    component: devsapp/fc@0.1.2
    props:
      region: ${vars.region}
      service: ${vars.service}
      function:
        name: checkout
        runtime: python3.9
  worker:
    component: fc
    access: team-prod
    props:
      region: ${vars.region}
      qualifier: prod
      service:
        name: shop-svc
      function:
        name: ${env.SHOP_WORKER_NAME}
  site:
    component: fc-domain
    props: {}
  v3:
    component: fc3
    props:
      functionName: x
  broken:
    component: fc
    props:
      region: ${vars.nowhere}
  nameless:
    component: fc
    props:
      region: cn-hangzhou
      service:
        name: shop-svc
  misnamed:
    component: fc
    props:
      region: cn-hangzhou
      service:
        name: 9lives
      function:
        name: ok
"""


def run(path):
    out = StringIO()
    try:
        call_command("import_syaml", str(path), stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_WORKER_NAME", "fulfil")
    path = tmp_path / "s.yaml"
    path.write_text(PROJECT)
    return path


@pytest.mark.django_db
def test_it_pins_each_fc_function_and_reports_every_entry(project):
    CredentialProfile.objects.create(name="team-dev", account_id="1", access_key_id="LTAIx")

    output, error = run(project)

    assert output.splitlines() == [
        "api: created (shop-svc/checkout (cn-shanghai))",
        "worker: created (shop-svc.prod/fulfil (cn-shanghai))",
        "site: skipped (component 'fc-domain' is not fc)",
        "v3: skipped (fc3 is FC 3.0 (no service); the console calls FC 2.0 functions)",
        "broken: rejected (cannot resolve ${vars.nowhere})",
        "nameless: rejected (props function.name missing)",
        "misnamed: rejected (service: A service name uses letters, digits, '_' and '-', "
        "and starts with a letter or '_'.)",
    ]
    assert error is not None and error.returncode == 1
    api, worker = PinnedTarget.objects.for_form()
    assert (api.project, api.label, api.qualifier, api.profile.name) == ("shop", "api", "", "team-dev")
    assert (worker.function, worker.qualifier, worker.profile) == ("fulfil", "prod", None)
    assert api.source_file == str(project.resolve())


@pytest.mark.django_db
def test_importing_again_changes_nothing(project):
    run(project)

    output, _ = run(project)

    assert output.splitlines()[:2] == [
        "api: unchanged (shop-svc/checkout (cn-shanghai))",
        "worker: unchanged (shop-svc.prod/fulfil (cn-shanghai))",
    ]
    assert PinnedTarget.objects.count() == 2


@pytest.mark.django_db
def test_it_updates_a_target_whose_project_entry_was_renamed(project):
    run(project)
    project.write_text(PROJECT.replace("  api:\n", "  storefront:\n"))

    output, _ = run(project)

    assert output.splitlines()[0] == "storefront: updated (shop-svc/checkout (cn-shanghai))"
    assert PinnedTarget.objects.get(function="checkout").label == "storefront"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("edition: 1.0.0\nname: x\n", "no `services:` (or `resources:`) section"),
        ("services: [a, b]\n", "`services` must be a mapping"),
        ("services:\n  a: {component: fc\n", "not valid YAML"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_project(tmp_path, content, message):
    path = tmp_path / "s.yaml"
    path.write_text(content)

    _, error = run(path)

    assert error.returncode == 64 and message in str(error)
    assert not PinnedTarget.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_missing_file(tmp_path):
    _, error = run(tmp_path / "s.yaml")

    assert error.returncode == 64 and "no such file" in str(error)
