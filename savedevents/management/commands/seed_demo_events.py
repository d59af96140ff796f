"""`manage.py seed_demo_events [--owner admin]`: team events for the demo functions of examples/s.yaml
(FC 2.0, service `demo`) and examples/fc3/s.yaml (FC 3.0: functions without a service).

Idempotent: an event that exists (by name, for that owner) is left as it is. `make run` calls it
after `seed_demo`, so a fresh console has something in the invoke form's picker.
"""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from invocations.fc import events as templates
from savedevents.models import SavedEvent, Visibility


def demo_events() -> list[dict]:
    return [
        {
            "name": "oss-upload-cat",
            "target_service": "demo",
            "description": "A PNG landing in the uploads bucket, as the OSS trigger delivers it.",
            "template": "oss",
            "body": templates.render("oss", bucket="demo-uploads", key="uploads/cat.png", size="48213"),
            "target_function": "oss-thumbnail",
            "tags": "oss,demo",
        },
        {
            "name": "hello-world",
            "target_service": "demo",
            "description": "Echoed back by demo/hello.",
            "body": json.dumps({"name": "world"}, indent=2),
            "target_function": "hello",
            "tags": "demo",
        },
        {
            "name": "http-hello-get",
            "target_service": "demo",
            "description": "A GET through the HTTP trigger of demo/http-hello.",
            "template": "http",
            "body": templates.render("http", method="GET", path="/hello", queries="name=fc", body=""),
            "target_function": "http-hello",
            "tags": "http,demo",
        },
        {
            "name": "stateful-job-5s",
            "target_service": "demo",
            "description": "Five one-second steps: long enough to watch the async timeline.",
            "body": json.dumps({"seconds": 5}, indent=2),
            "target_function": "stateful-job",
            "invocation_type": "async",
            "tags": "async,demo",
        },
        # FC 3.0: no service, so a newcomer can try either version from the picker.
        {
            "name": "hello-fc3",
            "description": "Echoed back by hello, the FC 3.0 function (no service).",
            "body": json.dumps({"name": "fc3"}, indent=2),
            "target_function": "hello",
            "tags": "demo,fc3",
        },
        {
            "name": "http-echo-post",
            "description": "A POST through the HTTP trigger of http-echo (FC 3.0): answers with the event it got.",
            "template": "http",
            "body": templates.render(
                "http", method="POST", path="/greet", queries="lang=en", body=json.dumps({"greeting": "hi"})
            ),
            "target_function": "http-echo",
            "tags": "http,demo,fc3",
        },
        {
            "name": "async-job-5s",
            "description": "An FC 3.0 async task of five one-second steps: watch its timeline, or stop it.",
            "body": json.dumps({"seconds": 5}, indent=2),
            "target_function": "async-job",
            "invocation_type": "async",
            "tags": "async,demo,fc3",
        },
    ]


class Command(BaseCommand):
    help = "Create team saved events for the demo functions (skips those that exist)."

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="admin", help="username that owns them (default: %(default)s)")

    def handle(self, *args, **options):
        try:
            owner = get_user_model().objects.get_by_natural_key(options["owner"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {options['owner']!r}; run seed_demo first.") from None
        made = 0
        for fields in demo_events():
            if SavedEvent.objects.alive().filter(owner=owner, name=fields["name"]).exists():
                continue
            SavedEvent(owner=owner, visibility=Visibility.TEAM, **fields).save_new(owner, note="demo data")
            made += 1
        self.stdout.write(f"demo events: {made} created, {len(demo_events()) - made} already there")
