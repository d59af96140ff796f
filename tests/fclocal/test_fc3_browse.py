"""FC 3.0 read calls (fc3-api.md 2) through the official SDK: ListFunctions, GetFunction,
ListTriggers, ListAliases, ListFunctionVersions, with their filters and paging."""

import json
import textwrap

import pytest

from tests.fclocal.helpers3 import TeaException, models, sdk3

FC3_DEMO = {"async-job", "fail", "hello", "http-echo", "noop", "slow"}


def list_functions(server, **params) -> dict:
    return sdk3(server).list_functions(models.ListFunctionsRequest(**params)).body.to_map()


def names(page: dict) -> list[str]:
    return [f["functionName"] for f in page["functions"]]


def test_list_functions_of_fc_version_v3_are_the_3x_project(fclocal):
    assert set(names(list_functions(fclocal, fc_version="v3"))) == FC3_DEMO


def test_list_functions_of_fc_version_v2_name_them_service_dollar_function(fclocal):
    listed = names(list_functions(fclocal, fc_version="v2"))

    assert "demo$hello" in listed
    assert all(name.startswith("demo$") for name in listed)


def test_list_functions_without_fc_version_lists_both(fclocal):
    listed = names(list_functions(fclocal))

    assert FC3_DEMO <= set(listed)
    assert "demo$stateful-job" in listed
    assert listed == sorted(listed)


def test_list_functions_filters_by_prefix_and_pages_with_next_token(fclocal):
    first = list_functions(fclocal, fc_version="v3", limit=4)
    second = list_functions(fclocal, fc_version="v3", limit=4, next_token=first["nextToken"])

    assert names(first) + names(second) == sorted(FC3_DEMO)
    assert not second.get("nextToken")
    assert names(list_functions(fclocal, prefix="h", fc_version="v3")) == ["hello", "http-echo"]


def test_get_function_describes_a_3x_function(fclocal):
    response = sdk3(fclocal).get_function("hello", models.GetFunctionRequest())
    function = response.body.to_map()

    assert function["functionName"] == "hello"
    assert function["functionArn"] == "acs:fc:cn-hangzhou:1234567890123456:functions/hello"
    assert (function["runtime"], function["handler"], function["memorySize"], function["timeout"]) == (
        "python3.9",
        "index.handler",
        128,
        10,
    )
    assert function["environmentVariables"] == {"GREETING": "hello from fclocal 3.0"}
    assert function["instanceLifecycleConfig"]["initializer"] == {
        "handler": "index.initializer",
        "timeout": 10,
    }
    assert function["codeChecksum"].isdigit()
    assert function["state"] == "Active"
    assert response.headers["etag"]


def test_get_function_with_an_unknown_qualifier_is_alias_not_found(fclocal):
    with pytest.raises(TeaException) as raised:
        sdk3(fclocal).get_function("hello", models.GetFunctionRequest(qualifier="staging"))

    assert raised.value.code == "AliasNotFound"


def test_get_function_of_an_unknown_function_is_not_found(fclocal):
    with pytest.raises(TeaException) as raised:
        sdk3(fclocal).get_function("nope", models.GetFunctionRequest())

    assert (raised.value.code, raised.value.data["statusCode"]) == ("FunctionNotFound", 404)


def test_list_triggers_describes_an_http_trigger_with_its_url(fclocal):
    page = sdk3(fclocal).list_triggers("http-echo", models.ListTriggersRequest()).body.to_map()

    (trigger,) = page["triggers"]
    assert (trigger["triggerName"], trigger["triggerType"], trigger["qualifier"]) == (
        "http",
        "http",
        "LATEST",
    )
    assert json.loads(trigger["triggerConfig"]) == {
        "authType": "anonymous",
        "methods": ["GET", "POST", "PUT", "DELETE"],
    }
    assert trigger["httpTrigger"]["urlInternet"] == f"{fclocal.url}/2023-03-30/proxy/http-echo"
    assert trigger["targetArn"].endswith(":functions/http-echo")


def test_list_triggers_of_a_function_without_triggers_is_empty(fclocal):
    assert sdk3(fclocal).list_triggers("hello", models.ListTriggersRequest()).body.to_map()["triggers"] == []


def test_list_aliases_of_a_function(fclocal):
    aliases = sdk3(fclocal).list_aliases("hello", models.ListAliasesRequest()).body.to_map()["aliases"]

    assert [(a["aliasName"], a["versionId"], a["description"]) for a in aliases] == [
        ("prod", "1", "production")
    ]


VERSIONED = """
edition: 3.0.0
name: versioned
resources:
  fn:
    component: fc3
    props:
      region: cn-shanghai
      functionName: versioned
      runtime: python3.10
      code: ./code
      handler: index.handler
      versions: [{id: "1"}, {id: "2"}, {id: "3", description: third}]
      aliases: [{name: old, versionId: "1"}, {name: prod, versionId: "3"}, {name: test, versionId: "2"}]
      triggers:
        - {triggerName: t1, triggerType: timer, triggerConfig: {cronExpression: "@every 1m"}}
        - triggerName: t2
          triggerType: oss
          sourceArn: acs:oss:cn-shanghai:1234567890123456:bucket
          invocationRole: acs:ram::1234567890123456:role/oss
          triggerConfig: {events: ["oss:ObjectCreated:*"]}
"""


@pytest.fixture
def versioned(tmp_path, fclocal_factory):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "index.py").write_text("def handler(event, context):\n    return event\n")
    (tmp_path / "s.yaml").write_text(textwrap.dedent(VERSIONED))
    return fclocal_factory(tmp_path / "s.yaml")


def test_list_function_versions_pages_newest_first_or_forward(versioned):
    client = sdk3(versioned)
    first = client.list_function_versions("versioned", models.ListFunctionVersionsRequest(limit=2)).body
    rest = client.list_function_versions(
        "versioned", models.ListFunctionVersionsRequest(limit=2, next_token=first.next_token)
    ).body
    forward = client.list_function_versions(
        "versioned", models.ListFunctionVersionsRequest(direction="FORWARD")
    ).body

    assert [v.version_id for v in first.versions] + [v.version_id for v in rest.versions] == ["3", "2", "1"]
    assert first.direction == "BACKWARD"
    assert [v.version_id for v in forward.versions] == ["1", "2", "3"]
    assert forward.versions[2].description == "third"


def test_list_aliases_pages_with_prefix_and_next_token(versioned):
    client = sdk3(versioned)
    first = client.list_aliases("versioned", models.ListAliasesRequest(limit=2)).body
    rest = client.list_aliases(
        "versioned", models.ListAliasesRequest(limit=2, next_token=first.next_token)
    ).body

    assert [a.alias_name for a in first.aliases] + [a.alias_name for a in rest.aliases] == [
        "old",
        "prod",
        "test",
    ]
    prefixed = client.list_aliases("versioned", models.ListAliasesRequest(prefix="p")).body
    assert [a.alias_name for a in prefixed.aliases] == ["prod"]


def test_list_triggers_reports_source_arn_and_invocation_role(versioned):
    triggers = (
        sdk3(versioned).list_triggers("versioned", models.ListTriggersRequest(limit=1, prefix="t")).body
    )

    assert [t.trigger_name for t in triggers.triggers] == ["t1"]
    rest = sdk3(versioned).list_triggers(
        "versioned", models.ListTriggersRequest(next_token=triggers.next_token)
    )
    (oss,) = rest.body.triggers
    assert oss.source_arn == "acs:oss:cn-shanghai:1234567890123456:bucket"
    assert oss.invocation_role == "acs:ram::1234567890123456:role/oss"
