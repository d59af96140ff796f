"""`manage.py seed_demo_events`: demo team events, valid for their functions, made once."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from savedevents.models import SavedEvent

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo_events", *args, stdout=out)
    return out.getvalue()


def test_it_makes_team_events_for_the_demo_functions_once(admin):
    assert "7 created" in seed("--owner", admin.username)
    assert "0 created, 7 already there" in seed("--owner", admin.username)
    events = {e.name: e for e in SavedEvent.objects.all()}
    assert {e.visibility for e in events.values()} == {"team"}
    oss = json.loads(events["oss-upload-cat"].body)["events"][0]
    assert oss["oss"]["object"]["key"] == "uploads/cat.png"
    assert events["oss-upload-cat"].target == "demo/oss-thumbnail"
    assert events["stateful-job-5s"].invocation_type == "async"


def test_some_team_events_target_the_fc3_demo_functions(admin):
    seed("--owner", admin.username)
    fc3 = {e.name: e for e in SavedEvent.objects.filter(target_service="")}
    assert {e.target for e in fc3.values()} == {"hello", "http-echo", "async-job"}
    assert {e.visibility for e in fc3.values()} == {"team"}
    assert fc3["async-job-5s"].invocation_type == "async"
    request = json.loads(fc3["http-echo-post"].body)
    assert (request["method"], request["path"], request["body"]) == ("POST", "/greet", {"greeting": "hi"})


def test_it_needs_the_owner_to_exist(db):
    with pytest.raises(CommandError, match="run seed_demo first"):
        seed("--owner", "nobody")
