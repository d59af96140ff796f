"""`manage.py import_syaml`: a project's fc functions become pinned targets of the invoke form."""

from io import StringIO
from pathlib import Path

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
        "site: skipped (component 'fc-domain' is not fc or fc3)",
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


# -- Serverless Devs 3.x (edition 3.0.0, component fc3): FC 3.0 functions, no service ------------

PROJECT_3X = """\
edition: 3.0.0
name: shop-v3
access: team-dev
vars:
  region: cn-shanghai
resources:
  api:
    component: fc3
    props:
      region: ${vars.region}
      functionName: checkout
      runtime: python3.10
      versions:
        - id: "1"
        - id: 2
      aliases:
        - name: prod
          versionId: "2"
  worker:
    component: devsapp/fc3@0.1.0
    access: team-prod
    props:
      region: ${vars.region}
      functionName: ${env.SHOP_WORKER_NAME}
  domain:
    component: fc3-domain
    props: {}
  nameless:
    component: fc3
    props:
      region: cn-hangzhou
  bad-aliases:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: ok
      aliases:
        - versionId: "1"
"""


@pytest.fixture
def project_3x(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_WORKER_NAME", "fulfil")
    path = tmp_path / "s.yaml"
    path.write_text(PROJECT_3X)
    return path


@pytest.mark.django_db
def test_a_3x_file_pins_each_fc3_function_with_its_versions_and_aliases(project_3x):
    CredentialProfile.objects.create(name="team-dev", account_id="1", access_key_id="LTAIx")

    output, error = run(project_3x)

    assert output.splitlines() == [
        "api: created (checkout (cn-shanghai))",
        "api: created (checkout:1 (cn-shanghai))",
        "api: created (checkout:2 (cn-shanghai))",
        "api: created (checkout:prod (cn-shanghai))",
        "worker: created (fulfil (cn-shanghai))",
        "domain: skipped (component 'fc3-domain' is not fc or fc3)",
        "nameless: rejected (props functionName missing)",
        "bad-aliases: rejected (props.aliases[0].name missing)",
    ]
    assert error is not None and error.returncode == 1
    targets = list(PinnedTarget.objects.for_form())
    assert [(t.service, t.function, t.qualifier) for t in targets] == [
        ("", "checkout", ""),
        ("", "checkout", "1"),
        ("", "checkout", "2"),
        ("", "checkout", "prod"),
        ("", "fulfil", ""),
    ]
    assert {t.project for t in targets} == {"shop-v3"}
    assert targets[0].profile.name == "team-dev" and targets[-1].profile is None
    assert targets[3].target.api_version == "2023-03-30"


@pytest.mark.django_db
def test_the_fc3_demo_project_imports_cleanly():
    output, error = run(Path(__file__).resolve().parents[2] / "examples" / "fc3" / "s.yaml")

    assert error is None, output
    assert "hello: created (hello:prod (cn-hangzhou))" in output.splitlines()
    assert "async-job: created (async-job (cn-hangzhou))" in output.splitlines()
    assert not PinnedTarget.objects.exclude(service="").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "edition: 3.0.0\nservices:\n  a: {component: fc3}\n",
            "edition 3.0.0 lists its functions under `resources:`, none found",
        ),
        ("edition: 3.0.0\nresources: [a]\n", "`resources` must be a mapping"),
        ("edition: 3.0.0\nresources:\n  a: {component: fc3\n", "not valid YAML at line 4"),
    ],
)
def test_a_malformed_3x_file_is_refused_naming_the_file_and_key(tmp_path, content, message):
    path = tmp_path / "s.yaml"
    path.write_text(content)

    _, error = run(path)

    assert error.returncode == 64
    assert str(error).startswith(f"{path}: ") and message in str(error)
    assert not PinnedTarget.objects.exists()


@pytest.mark.django_db
def test_an_fc3_entry_with_versions_not_a_list_is_rejected_naming_the_key(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "edition: 3.0.0\nresources:\n  a:\n    component: fc3\n"
        "    props: {region: cn-hangzhou, functionName: f, versions: '1'}\n"
    )

    output, error = run(path)

    assert output.splitlines() == ["a: rejected (props.versions must be a list)"]
    assert error.returncode == 1
