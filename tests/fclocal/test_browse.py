"""Browsing calls with FC's JSON shapes and pagination (fc-api.md 5)."""

from tests.fclocal.helpers import sdk, signed


def get(server, path, **query):
    response = signed(server, "GET", f"/2016-08-15{path}", query=query)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


def test_list_services_and_get_service(fclocal):
    services = get(fclocal, "/services")["services"]
    service = get(fclocal, "/services/demo")

    assert [s["serviceName"] for s in services] == ["demo"]
    assert service == services[0]
    assert service["description"] == "fcconsole demo functions"
    assert service["internetAccess"] is True
    assert set(service) >= {
        "serviceId",
        "role",
        "logConfig",
        "vpcConfig",
        "nasConfig",
        "createdTime",
        "lastModifiedTime",
    }
    assert service["createdTime"].endswith("Z")


def test_list_functions_through_the_official_sdk(fclocal):
    functions = sdk(fclocal).list_functions("demo").data["functions"]

    names = [f["functionName"] for f in functions]
    assert names == sorted(names)
    assert {"hello", "slow", "fail", "oss-thumbnail", "http-hello", "stateful-job", "noop"} <= set(names)


def test_get_function_has_fc_fields(fclocal):
    function = get(fclocal, "/services/demo/functions/hello")

    assert function["functionName"] == "hello"
    assert function["runtime"] == "python3.9"
    assert function["handler"] == "index.handler"
    assert function["initializer"] == "index.initializer"
    assert function["memorySize"] == 128
    assert function["timeout"] == 10
    assert function["environmentVariables"] == {"GREETING": "hello from fclocal"}
    assert function["codeChecksum"].isdigit()
    assert function["codeSize"] > 0


def test_the_code_checksum_matches_the_invoke_header(fclocal):
    from tests.fclocal.helpers import invoke

    function = get(fclocal, "/services/demo/functions/noop")

    assert invoke(fclocal, "noop").headers["X-Fc-Code-Checksum"] == function["codeChecksum"]


def test_list_functions_pages_with_limit_and_next_token(fclocal):
    first = get(fclocal, "/services/demo/functions", limit=3)
    second = get(fclocal, "/services/demo/functions", limit=3, nextToken=first["nextToken"])
    everything = get(fclocal, "/services/demo/functions")

    names = [f["functionName"] for f in everything["functions"]]
    assert [f["functionName"] for f in first["functions"]] == names[:3]
    assert [f["functionName"] for f in second["functions"]] == names[3:6]
    assert "nextToken" not in everything


def test_list_functions_filters_by_prefix(fclocal):
    functions = get(fclocal, "/services/demo/functions", prefix="http-")["functions"]

    assert [f["functionName"] for f in functions] == ["http-hello", "http-secure"]


def test_list_functions_through_an_alias(fclocal):
    assert get(fclocal, "/services/demo.prod/functions")["functions"]


def test_list_triggers_is_empty_for_an_event_function(fclocal):
    assert get(fclocal, "/services/demo/functions/hello/triggers") == {"triggers": []}


def test_list_triggers_describes_an_http_trigger(fclocal):
    (trigger,) = get(fclocal, "/services/demo/functions/http-hello/triggers")["triggers"]

    assert trigger["triggerName"] == "http"
    assert trigger["triggerType"] == "http"
    assert trigger["triggerConfig"]["authType"] == "anonymous"
    assert trigger["triggerConfig"]["methods"] == ["GET", "POST", "PUT", "DELETE"]
    assert trigger["qualifier"] == "LATEST"
    assert not trigger["urlInternet"]


def test_get_trigger_and_unknown_trigger(fclocal):
    trigger = get(fclocal, "/services/demo/functions/oss-thumbnail/triggers/oss-upload")
    missing = signed(fclocal, "GET", "/2016-08-15/services/demo/functions/oss-thumbnail/triggers/nope")

    assert trigger["triggerType"] == "oss"
    assert missing.status_code == 404
    assert missing.json()["ErrorCode"] == "TriggerNotFound"


def test_list_aliases_and_versions(fclocal):
    aliases = get(fclocal, "/services/demo/aliases")["aliases"]
    versions = get(fclocal, "/services/demo/versions")

    assert [(a["aliasName"], a["versionId"]) for a in aliases] == [("prod", "1")]
    assert [v["versionId"] for v in versions["versions"]] == ["1"]
    assert versions["direction"] == "BACKWARD"


def test_unknown_service_and_function_are_not_found(fclocal):
    service = signed(fclocal, "GET", "/2016-08-15/services/nope")
    function = signed(fclocal, "GET", "/2016-08-15/services/demo/functions/nope")

    assert (service.status_code, service.json()["ErrorCode"]) == (404, "ServiceNotFound")
    assert service.json()["ErrorMessage"] == "service 'nope' does not exist"
    assert (function.status_code, function.json()["ErrorCode"]) == (404, "FunctionNotFound")
    assert function.json()["ErrorMessage"] == "function 'nope' does not exist in service 'demo'"


def test_an_unknown_path_is_not_supported(fclocal):
    response = signed(fclocal, "DELETE", "/2016-08-15/services/demo")

    assert response.status_code == 400
    assert response.json()["ErrorCode"] == "PathNotSupported"


def test_a_bad_limit_is_an_invalid_argument(fclocal):
    response = signed(fclocal, "GET", "/2016-08-15/services", query={"limit": "many"})

    assert response.status_code == 400
    assert response.json()["ErrorCode"] == "InvalidArgument"


def test_get_function_answers_with_an_etag_that_follows_the_function(fclocal):
    hello = sdk(fclocal).get_function("demo", "hello")
    again = sdk(fclocal).get_function("demo", "hello")
    noop = sdk(fclocal).get_function("demo", "noop")

    assert hello.headers["ETag"].startswith('"')
    assert hello.headers["ETag"] == again.headers["ETag"]
    assert hello.headers["ETag"] != noop.headers["ETag"]


def test_list_triggers_reports_the_source_arn_and_role_of_the_project_file(fclocal):
    (trigger,) = sdk(fclocal).list_triggers("demo", "oss-thumbnail").data["triggers"]

    assert trigger["sourceArn"] == "acs:oss:cn-hangzhou:1234567890123456:my-bucket"
    assert trigger["invocationRole"] == "acs:ram::1234567890123456:role/aliyunosseventnotificationrole"
