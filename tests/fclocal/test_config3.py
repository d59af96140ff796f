"""Serverless Devs 3.x project files (`edition: 3.0.0`, `resources:`, component fc3), and serving
a 2.x and a 3.x file from one server."""

import textwrap
from pathlib import Path

import pytest

from fclocal.config import ConfigError, load_project, load_projects
from tests.fclocal.helpers import invoke
from tests.fclocal.helpers3 import body_of, invoke3
from tests.fixtures.fclocal import DEMO3_CONFIG, DEMO_CONFIG

FUNCTION = """
edition: 3.0.0
name: t
vars:
  region: cn-shanghai
resources:
  one:
    component: fc3
    props:
      region: ${vars.region}
      functionName: fn
      runtime: python3.10
      code: ./code
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


def test_it_reads_the_3x_demo_project_into_the_3_0_namespace():
    project = load_project(DEMO3_CONFIG)

    assert project.services == {}
    assert set(project.functions3) == {"hello", "slow", "fail", "http-echo", "async-job", "noop"}
    hello = project.functions3["hello"]
    assert (hello.service, hello.region, hello.runtime, hello.handler) == (
        "",
        "cn-hangzhou",
        "python3.9",
        "index.handler",
    )
    assert (hello.initializer, hello.initialization_timeout) == ("index.initializer", 10)
    assert hello.environment == {"GREETING": "hello from fclocal 3.0"}
    assert project.versions3["hello"].aliases["prod"].version_id == "1"
    assert project.functions3["async-job"].async_config.stateful is True
    assert project.functions3["hello"].async_config.stateful is False
    assert project.functions3["fail"].async_config.max_retry_attempts == 1
    assert project.functions3["http-echo"].http_trigger.config["authType"] == "anonymous"
    assert project.functions3["slow"].instance_concurrency == 100


def test_it_applies_fc_defaults(tmp_path):
    fn = load_project(write(tmp_path, FUNCTION)).functions3["fn"]

    assert (fn.memory_size, fn.timeout, fn.instance_concurrency, fn.initializer) == (128, 3, 1, "")
    assert (fn.async_config.max_retry_attempts, fn.async_config.stateful) == (3, False)
    assert fn.region == "cn-shanghai"


def test_it_expands_quoted_env_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("FN_GREETING", "hi")
    text = FUNCTION + "      environmentVariables: {GREETING: \"${env('FN_GREETING')}\"}\n"

    assert load_project(write(tmp_path, text)).functions3["fn"].environment == {"GREETING": "hi"}


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (("python3.10", "nodejs18"), "resources.one.props.runtime", "unsupported runtime 'nodejs18'"),
        (("      functionName: fn\n", ""), "resources.one.props.functionName", "is required"),
        (("./code", "./missing"), "resources.one.props.code", "is not a directory"),
        (("index.handler", "main.handler"), "resources.one.props.handler", "main.py"),
        (("component: fc3", "component: fc"), "resources.one.component", "unsupported component 'fc'"),
        (("edition: 3.0.0", "edition: 1.0.0"), "edition", "is edition 3.0.0"),
        (("functionName: fn", "functionName: 9fn"), "resources.one.props.functionName", "not a valid name"),
        (
            ("region: ${vars.region}", "region: ${vars.nowhere}"),
            "resources.one.props.region",
            "is not defined",
        ),
    ],
)
def test_it_names_the_file_and_key_of_a_problem(tmp_path, change, key, words):
    error = problem(tmp_path, FUNCTION.replace(*change))

    assert (error.file, error.key) == (str(tmp_path / "s.yaml"), key)
    assert words in error.problem


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("      memorySize: 100\n", "resources.one.props.memorySize"),
        ("      timeout: soon\n", "resources.one.props.timeout"),
        ("      asyncInvokeConfig: {asyncTask: maybe}\n", "resources.one.props.asyncInvokeConfig.asyncTask"),
        (
            "      asyncInvokeConfig: {maxAsyncRetryAttempts: 9}\n",
            "resources.one.props.asyncInvokeConfig.maxAsyncRetryAttempts",
        ),
        (
            "      triggers: [{triggerName: web, triggerType: http, triggerConfig: {authType: jwt}}]\n",
            "resources.one.props.triggers[0].triggerConfig.authType",
        ),
        ("      triggers: [{triggerType: http}]\n", "resources.one.props.triggers[0].triggerName"),
        ("      aliases: [{name: prod, versionId: '7'}]\n", "resources.one.props.aliases[0].versionId"),
        (
            "      instanceLifecycleConfig: {initializer: {handler: nodot}}\n",
            "resources.one.props.instanceLifecycleConfig.initializer.handler",
        ),
        ("      code: {ossBucketName: b, ossObjectName: o}\n", "resources.one.props.code"),
    ],
)
def test_it_refuses_a_malformed_prop(tmp_path, extra, key):
    text = (
        FUNCTION.replace("      code: ./code\n", "")
        + ("" if "code:" in extra else "      code: ./code\n")
        + extra
    )

    assert problem(tmp_path, text).key == key


def test_it_refuses_a_function_declared_twice(tmp_path):
    second = FUNCTION.split("resources:\n", 1)[1].replace("  one:", "  two:")

    error = problem(tmp_path, FUNCTION + second)

    assert error.key == "resources.two.props.functionName"
    assert "declared twice" in error.problem


def test_it_refuses_a_file_with_neither_services_nor_resources(tmp_path):
    assert problem(tmp_path, "edition: 1.0.0\nname: empty\n").key == "services"


def test_a_2x_and_a_3x_file_make_one_project_with_separate_namespaces():
    project = load_projects([DEMO_CONFIG, DEMO3_CONFIG])

    assert "hello" in project.services["demo"].functions
    assert "hello" in project.functions3
    assert project.services["demo"].functions["hello"] != project.functions3["hello"]


def test_one_server_serves_a_2x_and_a_3x_project(fclocal_factory):
    server = fclocal_factory([DEMO_CONFIG, DEMO3_CONFIG])

    assert invoke(server, "hello", b"2.0").content == b"2.0"
    assert body_of(invoke3(server, "hello", b"3.0")) == b"3.0"


def test_a_malformed_3x_file_stops_start_up_naming_file_and_key(tmp_path, fclocal_factory):
    path = write(tmp_path, FUNCTION.replace("python3.10", "java11"))
    server = fclocal_factory([DEMO_CONFIG, path], start=False)

    with pytest.raises(RuntimeError) as raised:
        server.start()

    assert server.proc.returncode == 2
    assert f"fclocal: cannot start: {path}: resources.one.props.runtime: unsupported runtime 'java11'" in str(
        raised.value
    )
