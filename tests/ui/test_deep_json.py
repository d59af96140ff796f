"""JSON nested deeper than the console's cap (invocations.jsontext.MAX_DEPTH): a 400 or a form
error that names the limit, never a RecursionError's 500."""

import json

import pytest

from invocations import jsontext
from invocations.models import Invocation
from savedevents.models import SavedEvent

pytestmark = pytest.mark.django_db

DEEP = "[" * 1200 + "]" * 1200
LIMIT = f"JSON nested deeper than {jsontext.MAX_DEPTH} levels"


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_the_loader_takes_the_limit_and_refuses_one_more():
    assert jsontext.depth(jsontext.loads(nested(jsontext.MAX_DEPTH))) == jsontext.MAX_DEPTH
    for text in (nested(jsontext.MAX_DEPTH + 1), DEEP, '{"a": ' * 5000 + "1" + "}" * 5000):
        with pytest.raises(ValueError, match=LIMIT):
            jsontext.loads(text)


def test_the_template_render_api_answers_a_json_400(login, invoker):
    response = login(invoker).post(
        "/api/v1/event-templates/oss/render/", DEEP, content_type="application/json"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "parse_error"
    assert LIMIT in response.json()["message"]


def test_the_invoke_api_answers_a_json_400(login, invoker, profile):
    body = json.dumps({"profile": "demo", "service": "demo", "function": "hello"})[:-1] + f', "x": {DEEP}}}'
    response = login(invoker).post("/api/v1/invocations/", body, content_type="application/json")

    assert response.status_code == 400
    assert LIMIT in response.json()["message"]
    assert not Invocation.objects.exists()


def test_the_invoke_form_says_so_and_keeps_the_event(login, invoker, profile):
    response = login(invoker).post(
        "/invoke/",
        {
            "profile": profile.uuid,
            "service": "demo",
            "function": "hello",
            "event_kind": "json",
            "event_text": DEEP,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert LIMIT in html
    assert DEEP in html  # what was typed stays in the textarea
    assert not Invocation.objects.exists()


def test_a_saved_event_body_too_deep_is_refused_by_the_form_and_the_api(login, invoker):
    client = login(invoker)
    form = client.post(
        "/events/new/blank/",
        {"name": "deep", "kind": "json", "body": DEEP, "visibility": "private", "invocation_type": "sync"},
    )
    api = client.post(
        "/api/v1/events/", {"name": "deep", "kind": "json", "body": DEEP}, content_type="application/json"
    )

    assert form.status_code == 200 and LIMIT in form.content.decode()
    assert api.status_code == 400 and LIMIT in api.json()["fields"]["body"][0]
    assert not SavedEvent.objects.exists()


def test_an_invocation_page_shows_a_deep_event_as_text(login, invoker, profile, make_invocation):
    invocation = make_invocation(invoker, profile, event=DEEP.encode(), response_body=DEEP.encode())

    response = login(invoker).get(f"/invocations/{invocation.uuid}/")

    assert response.status_code == 200
