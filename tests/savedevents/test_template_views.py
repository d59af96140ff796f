"""Creating an event from a trigger template, with the live preview fragment."""

import json

import pytest
from django.urls import reverse

from savedevents.models import SavedEvent, Visibility

pytestmark = pytest.mark.django_db


def meta(**overrides):
    return {
        "name": "thumb-cat",
        "description": "",
        "visibility": "team",
        "target_service": "demo",
        "target_function": "oss-thumbnail",
        "invocation_type": "sync",
        "tags": "oss",
    } | overrides


def test_the_new_page_lists_every_template(invoker, client_for):
    html = client_for(invoker).get(reverse("savedevents:new")).content.decode()
    for name in ("http", "http-fc3", "oss", "sls", "mns", "cdn", "tablestore", "timer", "kafka"):
        assert reverse("savedevents:from_template", args=[name]) in html
    assert "HTTP trigger event (FC 3.0)" in html


def test_the_fc3_http_trigger_template_takes_header_lines_and_saves_an_fc3_target(invoker, client_for):
    client = client_for(invoker)
    url = reverse("savedevents:from_template", args=["http-fc3"])
    html = client.get(url).content.decode()
    assert '<textarea name="p-headers"' in html and "event-template/http-fc3-event.json" in html
    client.post(
        url,
        meta(name="echo", target_service="", target_function="http-echo", tags="")
        | {"p-method": "GET", "p-path": "/hi", "p-headers": "X-A: 1\nX-B: 2", "p-body": "yo"},
    )
    event = SavedEvent.objects.get()
    body = json.loads(event.body)
    assert (event.target, event.template) == ("http-echo", "http-fc3")
    assert (body["rawPath"], body["body"], body["headers"]) == ("/hi", "yo", {"X-A": "1", "X-B": "2"})


def test_the_template_page_shows_its_parameters_and_the_default_event(invoker, client_for):
    html = client_for(invoker).get(reverse("savedevents:from_template", args=["oss"])).content.decode()
    assert 'name="p-bucket"' in html
    assert 'name="p-key"' in html
    assert "acs:oss:cn-hangzhou:1234567890123456:my-bucket" in html
    assert "event-template/oss-event.json" in html


def test_an_unknown_template_is_404(invoker, client_for):
    assert client_for(invoker).get(reverse("savedevents:from_template", args=["ftp"])).status_code == 404


def test_the_preview_fragment_follows_the_parameters(invoker, client_for):
    response = client_for(invoker).post(
        reverse("savedevents:preview", args=["oss"]),
        {"p-bucket": "photos", "p-key": "in/cat.jpg", "p-size": "10"},
    )
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not a page
    assert "photos" in html and "in/cat.jpg" in html


def test_the_preview_says_what_is_wrong(invoker, client_for):
    response = client_for(invoker).post(reverse("savedevents:preview", args=["oss"]), {"p-size": "lots"})
    assert "Enter a whole number" in response.content.decode()


def test_saving_from_the_oss_template_stores_the_rendered_event(invoker, client_for):
    data = {
        "p-bucket": "photos",
        "p-key": "in/cat.jpg",
        "p-size": "2048",
        "p-event_name": "ObjectCreated:PutObject",
    }
    response = client_for(invoker).post(reverse("savedevents:from_template", args=["oss"]), data | meta())
    event = SavedEvent.objects.get()
    assert response["Location"] == reverse("savedevents:detail", args=[event.uuid])
    record = json.loads(event.body)["events"][0]
    assert record["oss"]["bucket"]["name"] == "photos"
    assert record["oss"]["object"]["key"] == "in/cat.jpg"
    assert (event.kind, event.template, event.visibility, event.target) == (
        "json",
        "oss",
        Visibility.TEAM,
        "demo/oss-thumbnail",
    )


def test_the_mns_stream_shape_saves_a_text_event(invoker, client_for):
    data = {"p-shape": "stream-without-message-attributes", "p-message": "hello topic"}
    client_for(invoker).post(reverse("savedevents:from_template", args=["mns"]), data | meta(name="mns-raw"))
    event = SavedEvent.objects.get()
    assert (event.kind, event.body) == ("text", "hello topic")


def test_bad_parameters_save_nothing(invoker, client_for):
    response = client_for(invoker).post(
        reverse("savedevents:from_template", args=["http"]), {"p-body": "{nope", "p-method": "POST"} | meta()
    )
    assert response.status_code == 200
    assert "Body must be JSON" in response.content.decode()
    assert not SavedEvent.objects.exists()
