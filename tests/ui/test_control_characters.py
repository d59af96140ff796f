"""NUL and other control characters in an address or a field: a 400 or 404 in plain words,
never a query that fails in PostgreSQL (a 500)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_client(login, viewer):
    return login(viewer)


@pytest.mark.parametrize(
    "path",
    ["/functions/%00/x/", "/functions/demo/%00/", "/team/users/%00/role", "/history/%00", "/events/%00/"],
)
def test_a_nul_in_the_address_is_a_400_that_says_why(viewer_client, path):
    response = viewer_client.get(path)

    assert response.status_code == 400
    assert "control character" in response.content.decode()


def test_the_api_says_it_in_json(viewer_client):
    response = viewer_client.get("/api/v1/invocations/%00/")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert "control character" in response.json()["message"]


@pytest.mark.parametrize("path", ["/functions/%01/x/", "/functions/demo/a%0A/", "/functions/1x/y/"])
def test_a_function_page_for_a_name_fc_cannot_hold_is_a_404(viewer_client, path):
    assert viewer_client.get(path).status_code in (400, 404)


def test_a_function_page_for_a_real_name_still_answers(viewer_client):
    assert viewer_client.get("/functions/demo/hello/").status_code == 200


@pytest.mark.parametrize(
    "query", ["/history/?function=%00", "/history/?service=a%00b", "/events/?q=%00", "/team/audit/?q=%00"]
)
def test_a_nul_in_the_query_is_a_400(login, admin, query):
    response = login(admin).get(query)

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_form_field_is_refused_by_the_form_and_the_typed_values_stay(login, invoker, profile):
    response = login(invoker).post(
        "/invoke/",
        {"profile": profile.uuid, "service": "demo\x00", "function": "hello", "event_text": '{"a": 1}'},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Null characters are not allowed." in html
    assert "{&quot;a&quot;: 1}" in html


def test_a_service_name_with_a_control_character_never_reaches_fc(login, invoker, profile):
    html = login(invoker).get(f"/invoke/functions?profile={profile.uuid}&service=de%01mo").content.decode()

    assert "A service name uses letters" in html
