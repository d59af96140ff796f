"""The project file: what fclocal reads from an s.yaml, and how it refuses what it cannot run."""

import textwrap
from pathlib import Path

import pytest

from fclocal.config import ConfigError, load_project
from tests.fixtures.fclocal import DEMO_CONFIG

FUNCTION = """
edition: 1.0.0
name: t
services:
  one:
    component: fc
    props:
      region: cn-hangzhou
      service: {name: svc}
      function:
        name: fn
        runtime: python3.9
        codeUri: ./code
        handler: index.handler
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "code").mkdir(exist_ok=True)
    (tmp_path / "code" / "index.py").write_text("def handler(event, context):\n    return event\n")
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def problem(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        load_project(write(tmp_path, text))
    return raised.value


def test_it_reads_the_demo_project():
    project = load_project(DEMO_CONFIG)

    demo = project.services["demo"]
    assert demo.region == "cn-hangzhou"
    assert set(demo.functions) >= {
        "hello",
        "slow",
        "fail",
        "oss-thumbnail",
        "http-hello",
        "stateful-job",
        "noop",
    }
    hello = demo.functions["hello"]
    assert (hello.runtime, hello.handler, hello.initializer) == (
        "python3.9",
        "index.handler",
        "index.initializer",
    )
    assert hello.environment == {"GREETING": "hello from fclocal"}
    assert demo.functions["stateful-job"].async_config.stateful is True
    assert demo.functions["http-hello"].http_trigger.auth_type == "anonymous"
    assert demo.aliases["prod"].version_id == "1"


def test_it_applies_fc_defaults(tmp_path):
    fn = load_project(write(tmp_path, FUNCTION)).services["svc"].functions["fn"]

    assert (fn.memory_size, fn.timeout, fn.instance_concurrency) == (128, 3, 1)
    assert fn.async_config.max_retry_attempts == 3
    assert fn.async_config.stateful is False


def test_it_names_the_file_and_key_of_an_unsupported_runtime(tmp_path):
    error = problem(tmp_path, FUNCTION.replace("python3.9", "nodejs14"))

    assert error.file == str(tmp_path / "s.yaml")
    assert error.key == "services.one.props.function.runtime"
    assert "unsupported runtime 'nodejs14'" in str(error)
    assert str(error).startswith(f"{tmp_path / 's.yaml'}: services.one.props.function.runtime: ")


def test_it_names_a_missing_required_key(tmp_path):
    error = problem(tmp_path, FUNCTION.replace("        handler: index.handler\n", ""))

    assert error.key == "services.one.props.function.handler"
    assert error.problem == "is required"


def test_it_refuses_a_code_uri_that_is_not_a_directory(tmp_path):
    error = problem(tmp_path, FUNCTION.replace("./code", "./missing"))

    assert error.key == "services.one.props.function.codeUri"


def test_it_refuses_a_handler_whose_file_does_not_exist(tmp_path):
    error = problem(tmp_path, FUNCTION.replace("index.handler", "main.handler"))

    assert error.key == "services.one.props.function.handler"
    assert "main.py" in error.problem


def test_it_refuses_memory_that_is_not_a_multiple_of_64(tmp_path):
    error = problem(tmp_path, FUNCTION + "        memorySize: 100\n")

    assert error.key == "services.one.props.function.memorySize"


def test_it_refuses_a_timeout_that_is_not_a_number(tmp_path):
    error = problem(tmp_path, FUNCTION + "        timeout: soon\n")

    assert error.key == "services.one.props.function.timeout"
    assert "must be an integer" in error.problem


def test_it_refuses_an_unknown_component(tmp_path):
    error = problem(tmp_path, FUNCTION.replace("component: fc", "component: fc3"))

    assert error.key == "services.one.component"


def test_it_refuses_an_unknown_http_auth_type(tmp_path):
    triggers = "      triggers:\n        - {name: web, type: http, config: {authType: magic}}\n"
    error = problem(tmp_path, FUNCTION + triggers)

    assert error.key == "services.one.props.triggers[0].config.authType"


def test_it_refuses_an_alias_of_an_undeclared_version(tmp_path):
    text = FUNCTION.replace(
        "service: {name: svc}", "service: {name: svc, aliases: [{name: prod, versionId: '7'}]}"
    )
    error = problem(tmp_path, text)

    assert error.key == "services.one.props.service.aliases[0].versionId"


def test_it_refuses_an_undefined_variable(tmp_path):
    error = problem(tmp_path, FUNCTION.replace("cn-hangzhou", "${vars.region}"))

    assert error.key == "services.one.props.region"
    assert "${vars.region} is not defined" in error.problem


def test_it_reports_the_line_of_broken_yaml(tmp_path):
    error = problem(tmp_path, FUNCTION + "      : : [\n")

    assert error.key.startswith("line ")
    assert "is not valid YAML" in error.problem


def test_it_refuses_to_start_on_a_malformed_file_naming_file_and_key(tmp_path, fclocal_factory):
    path = write(tmp_path, FUNCTION.replace("python3.9", "java11"))
    server = fclocal_factory(path, start=False)

    with pytest.raises(RuntimeError) as raised:
        server.start()

    assert server.proc.returncode == 2
    assert f"fclocal: cannot start: {path}: services.one.props.function.runtime: unsupported runtime" in str(
        raised.value
    )


def test_it_accepts_log_config_auto(tmp_path):
    text = FUNCTION.replace("service: {name: svc}", "service: {name: svc, logConfig: auto}")

    assert load_project(write(tmp_path, text)).services["svc"].log_config == {}


def test_it_merges_entries_of_one_service_and_refuses_a_function_declared_twice(tmp_path):
    second = FUNCTION.split("services:\n", 1)[1].replace("  one:", "  two:")
    project = load_project(write(tmp_path, FUNCTION + second.replace("name: fn", "name: fn2")))
    assert set(project.services["svc"].functions) == {"fn", "fn2"}

    error = problem(tmp_path, FUNCTION + second)
    assert error.key == "services.two.props.function.name"
    assert "declared twice" in error.problem
