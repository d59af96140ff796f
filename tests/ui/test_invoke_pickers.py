"""The invoke form's pickers: names listed through the profile from a real fclocal."""

import pytest

pytestmark = pytest.mark.django_db


def get(client, url, profile, **params):
    return client.get(url, {"profile": str(profile.uuid), "region": "", **params})


def test_it_lists_services(login, invoker, fclocal_profile):
    response = get(login(invoker), "/invoke/services", fclocal_profile)
    assert response.status_code == 200
    assert '<option value="demo">' in response.content.decode()


def test_it_lists_the_functions_of_a_service(login, invoker, fclocal_profile):
    html = get(login(invoker), "/invoke/functions", fclocal_profile, service="demo").content.decode()
    for name in ("hello", "slow", "fail", "http-hello", "stateful-job"):
        assert f'<option value="{name}">' in html


def test_it_lists_latest_aliases_and_versions(login, invoker, fclocal_profile):
    html = get(login(invoker), "/invoke/qualifiers", fclocal_profile, service="demo").content.decode()
    assert '<option value="LATEST">' in html
    assert '<option value="prod">alias → version 1</option>' in html
    assert '<option value="1">first release</option>' in html


def test_it_passes_fcs_error_to_the_page(login, invoker, fclocal_profile):
    html = get(
        login(invoker), "/invoke/functions", fclocal_profile, service="no-such-service"
    ).content.decode()
    assert "ServiceNotFound" in html
    assert "data-error=" in html


def test_it_reports_the_http_trigger_of_a_function(login, invoker, fclocal_profile):
    html = get(
        login(invoker),
        "/invoke/trigger",
        fclocal_profile,
        service="demo",
        function="http-hello",
        qualifier="",
    ).content.decode()
    assert 'data-http-trigger="1" data-methods="GET,POST,PUT,DELETE"' in html
    assert "HTTP trigger <strong>http</strong> (anonymous)" in html
    assert "<input" not in html  # the fields typed so far are not redrawn


def test_it_reports_no_trigger_for_an_event_function(login, invoker, fclocal_profile):
    html = get(
        login(invoker), "/invoke/trigger", fclocal_profile, service="demo", function="hello", qualifier=""
    ).content.decode()
    assert 'data-http-trigger="0"' in html


def test_it_refuses_a_profile_the_user_may_not_use(login, other_invoker, fclocal_profile):
    assert get(login(other_invoker), "/invoke/services", fclocal_profile).status_code == 404


def test_viewers_cannot_browse(login, viewer, fclocal_profile):
    assert get(login(viewer), "/invoke/services", fclocal_profile).status_code == 403


def test_it_refuses_a_region_that_is_not_a_region_id(login, invoker, fclocal_profile):
    # The region becomes part of FC's host name; nothing else may get there.
    html = get(
        login(invoker), "/invoke/services", fclocal_profile, region="evil.example.com#"
    ).content.decode()
    assert "Enter a region id such as cn-hangzhou." in html
    assert '<option value="demo">' not in html


def test_a_malformed_profile_id_is_404(login, invoker, fclocal_profile):
    assert login(invoker).get("/invoke/services", {"profile": "not-a-uuid"}).status_code == 404


# -- FC 3.0: no service ------------------------------------------------------------------------


def test_without_a_service_it_lists_the_regions_fc3_functions(login, invoker, fclocal_profile):
    html = get(login(invoker), "/invoke/functions", fclocal_profile, service="").content.decode()
    for name in ("hello", "slow", "fail", "http-echo", "async-job", "noop"):
        assert f'<option value="{name}">' in html
    # FC 3.0 would name the 2.0 demo's functions demo$hello: not a target the 3.0 path takes.
    assert "$" not in html and "stateful-job" not in html


def test_without_a_service_it_lists_the_functions_own_aliases_and_versions(login, invoker, fclocal_profile):
    html = get(
        login(invoker), "/invoke/qualifiers", fclocal_profile, service="", function="hello"
    ).content.decode()
    assert '<option value="LATEST">' in html
    assert '<option value="prod">alias → version 1</option>' in html
    assert '<option value="1">first release</option>' in html


def test_without_a_service_or_a_function_there_are_no_qualifiers_to_list(login, invoker, fclocal_profile):
    html = get(login(invoker), "/invoke/qualifiers", fclocal_profile, service="", function="")
    assert html.content.decode().strip() == ""


def test_an_unknown_fc3_function_passes_fcs_error_to_the_page(login, invoker, fclocal_profile):
    html = get(
        login(invoker), "/invoke/qualifiers", fclocal_profile, service="", function="no-such-function"
    ).content.decode()
    assert "FunctionNotFound" in html and "data-error=" in html


def test_it_reports_the_http_trigger_of_an_fc3_function(login, invoker, fclocal_profile):
    html = get(
        login(invoker), "/invoke/trigger", fclocal_profile, service="", function="http-echo", qualifier=""
    ).content.decode()
    assert 'data-http-trigger="1" data-methods="GET,POST,PUT,DELETE"' in html
    assert "HTTP trigger <strong>http</strong> (anonymous)" in html


def test_it_reports_no_trigger_for_an_fc3_event_function(login, invoker, fclocal_profile):
    html = get(
        login(invoker), "/invoke/trigger", fclocal_profile, service="", function="hello", qualifier=""
    ).content.decode()
    assert 'data-http-trigger="0"' in html


def test_a_name_fc_could_not_hold_never_reaches_fc(login, invoker, fclocal_profile):
    html = get(
        login(invoker), "/invoke/qualifiers", fclocal_profile, service="", function="../services"
    ).content.decode()
    assert "A function name uses letters" in html
