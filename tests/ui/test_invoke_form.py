import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invocations.models import Invocation
from invocations.rules import ASYNC_ID_PREFIX

pytestmark = pytest.mark.django_db


def post(client, profile, **fields):
    data = {
        "profile": str(profile.uuid),
        "region": "",
        "service": "demo",
        "qualifier": "",
        "function": "hello",
        "event_kind": "json",
        "event_text": '{"name": "world"}',
        "invocation_type": "sync",
        "client_timeout": "",
        "async_invocation_id": "",
        **fields,
    }
    return client.post("/invoke/", data)


def errors(response) -> str:
    assert response.status_code == 200, "the form should have been shown again"
    return response.content.decode()


def test_it_offers_only_the_profiles_the_user_may_use(login, invoker, profile, foreign_profile):
    html = login(invoker).get("/invoke/").content.decode()
    assert str(profile.uuid) in html
    assert str(foreign_profile.uuid) not in html


def test_it_queues_the_invocation_and_shows_its_page(login, invoker, profile):
    response = post(login(invoker), profile)
    inv = Invocation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/invocations/{inv.uuid}/"
    assert (inv.state, inv.user, inv.profile, inv.source) == ("queued", invoker, profile, "web")
    assert (inv.region, inv.service, inv.function, inv.qualifier) == ("cn-hangzhou", "demo", "hello", "")
    assert bytes(inv.event) == b'{"name": "world"}'


def test_the_region_defaults_to_the_profile_region(login, invoker, profile):
    profile.default_region = "cn-shanghai"
    profile.save()
    post(login(invoker), profile)
    assert Invocation.objects.get().region == "cn-shanghai"


def test_it_rejects_bad_json_when_json_is_declared(login, invoker, profile):
    html = errors(post(login(invoker), profile, event_text='{"name": '))
    assert "This is not valid JSON" in html
    assert "choose Text to send it as is" in html
    assert not Invocation.objects.exists()


def test_it_keeps_what_was_typed_after_an_error(login, invoker, profile):
    html = errors(post(login(invoker), profile, event_text='{"name": ', function="keep-me"))
    assert 'value="keep-me"' in html
    assert "{&quot;name&quot;: </textarea>" in html


def test_text_events_may_be_anything(login, invoker, profile):
    assert post(login(invoker), profile, event_kind="text", event_text="not { json").status_code == 302
    assert bytes(Invocation.objects.get().event) == b"not { json"


def test_it_rejects_an_async_payload_over_128kb(login, invoker, profile):
    big = json.dumps({"data": "x" * (128 * 1024)})
    html = errors(post(login(invoker), profile, invocation_type="async", event_text=big))
    assert "FC accepts at most 131,072 bytes (128.0 KB) for an async invocation" in html
    assert not Invocation.objects.exists()


def test_it_rejects_a_sync_payload_over_32mb(login, invoker, profile):
    upload = SimpleUploadedFile("big.bin", b"\0" * (32 * 1024 * 1024 + 1))
    html = errors(post(login(invoker), profile, event_kind="binary", event_text="", event_file=upload))
    assert "FC accepts at most 33,554,432 bytes (32.0 MB) for a sync invocation" in html
    assert not Invocation.objects.exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("service", "1-starts-with-digit", "A service name uses letters"),
        ("function", "has space", "A function name uses letters"),
        ("qualifier", "LATEST!", "A alias name uses letters"),
        ("region", "Not A Region", "Enter a region id such as cn-hangzhou."),
        ("function", "", "This field is required."),
    ],
)
def test_it_rejects_bad_names(login, invoker, profile, field, value, message):
    html = errors(post(login(invoker), profile, **{field: value}))
    assert message in html
    assert not Invocation.objects.exists()


def test_a_protected_profile_needs_the_function_name_typed(login, invoker, profile):
    profile.protected = True
    profile.save()
    client = login(invoker)
    html = errors(post(client, profile, confirm_function="hell"))
    assert "The profile demo is protected: type the function name “hello” to confirm." in html
    assert not Invocation.objects.exists()
    assert post(client, profile, confirm_function="hello").status_code == 302


def test_an_unprotected_profile_needs_no_confirmation(login, invoker, profile):
    assert post(login(invoker), profile, confirm_function="").status_code == 302


def test_a_binary_event_is_sent_byte_for_byte(login, invoker, profile):
    data = bytes(range(256))
    upload = SimpleUploadedFile("event.bin", data)
    assert post(login(invoker), profile, event_kind="binary", event_file=upload).status_code == 302
    assert bytes(Invocation.objects.get().event) == data


def test_binary_needs_a_file(login, invoker, profile):
    assert "Choose the file to send as the event." in errors(
        post(login(invoker), profile, event_kind="binary")
    )


def test_an_async_invocation_gets_a_generated_id(login, invoker, profile):
    post(login(invoker), profile, invocation_type="async")
    assert Invocation.objects.get().async_invocation_id.startswith(ASYNC_ID_PREFIX)


def test_an_async_invocation_keeps_a_given_id(login, invoker, profile):
    post(login(invoker), profile, invocation_type="async", async_invocation_id="nightly-report_1")
    assert Invocation.objects.get().async_invocation_id == "nightly-report_1"


def test_it_rejects_a_bad_async_id(login, invoker, profile):
    html = errors(
        post(login(invoker), profile, invocation_type="async", async_invocation_id="9-starts-with-digit")
    )
    assert "An async task id uses letters" in html


def test_it_rejects_a_profile_the_user_may_not_use(login, invoker, profile, foreign_profile):
    html = errors(post(login(invoker), foreign_profile))
    assert "Select a valid choice" in html
    assert not Invocation.objects.exists()


def test_it_rejects_a_timeout_out_of_range(login, invoker, profile):
    assert "Ensure this value is greater than or equal to 1." in errors(
        post(login(invoker), profile, client_timeout="0")
    )


def test_it_sends_an_http_request_for_http_trigger_functions(login, invoker, profile):
    response = post(
        login(invoker),
        profile,
        function="http-hello",
        as_http="on",
        http_method="POST",
        http_path="/greet",
        http_headers="Content-Type: application/json\nX-Trace: abc",
        http_query="lang=en\npage=2",
        event_text='{"who": "me"}',
    )
    assert response.status_code == 302
    inv = Invocation.objects.get()
    assert inv.http_request == {
        "method": "POST",
        "path": "/greet",
        "headers": {"Content-Type": "application/json", "X-Trace": "abc"},
        "queries": {"lang": "en", "page": "2"},
        "body": '{"who": "me"}',
    }
    assert bytes(inv.event) == b""


def test_it_names_a_malformed_header_line(login, invoker, profile):
    html = errors(post(login(invoker), profile, as_http="on", http_headers="no colon here"))
    assert "Line 1 is not a header (expected name:value): no colon here" in html


def test_edit_and_run_prefills_the_form(login, invoker, profile, make_invocation):
    source = make_invocation(
        invoker, profile, function="hello", qualifier="prod", event=b'{"a": 1}', state="succeeded"
    )
    html = login(invoker).get(f"/invoke/?from={source.uuid}").content.decode()
    assert 'value="prod"' in html
    assert "{&quot;a&quot;: 1}</textarea>" in html
    assert "Prefilled from" in html


def test_a_damaged_from_link_gives_an_empty_form(login, invoker, profile):
    response = login(invoker).get("/invoke/?from=not-a-uuid")
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound and not form.initial.get("function") and not form.initial.get("service")


def test_it_has_a_hook_for_the_saved_event_picker(login, invoker, profile):
    html = login(invoker).get("/invoke/").content.decode()
    assert '<div class="event-picker">' in html


def test_viewers_may_not_invoke(login, viewer, profile):
    assert login(viewer).get("/invoke/").status_code == 403
    assert post(login(viewer), profile).status_code == 403
    assert not Invocation.objects.exists()


def test_edit_and_run_of_an_http_request_prefills_its_fields(login, invoker, profile, make_invocation):
    request = {
        "method": "PUT",
        "path": "/items/7",
        "headers": {"X-A": "1"},
        "queries": {"q": "x"},
        "body": "plain",
    }
    source = make_invocation(invoker, profile, function="http-hello", event=b"", http_request=request)
    html = login(invoker).get(f"/invoke/?from={source.uuid}").content.decode()
    assert '<option value="PUT" selected>' in html
    assert 'value="/items/7"' in html
    assert "X-A: 1</textarea>" in html and "q=x</textarea>" in html
    assert ">\nplain</textarea>" in html
    assert (
        'value="text" class="" id="id_event_kind_1" checked' in html or 'id="id_event_kind_1" checked' in html
    )


def test_edit_and_run_of_a_binary_event_asks_for_the_file(login, invoker, profile, make_invocation):
    source = make_invocation(invoker, profile, event=b"\xff\xfe\x00binary")
    html = login(invoker).get(f"/invoke/?from={source.uuid}").content.decode()
    assert "The event of that invocation is binary: choose its file again" in html
    assert 'value="binary" id="id_event_kind_2" checked' in html


def test_a_pinned_project_function_fills_in_the_target(login, invoker, profile, foreign_profile):
    from invocations.models import PinnedTarget

    mine = PinnedTarget.objects.create(
        label="app",
        region="cn-shanghai",
        service="orders",
        function="create",
        qualifier="prod",
        profile=profile,
    )
    theirs = PinnedTarget.objects.create(
        label="app", region="cn-shanghai", service="orders", function="audit", profile=foreign_profile
    )
    page = login(invoker).get("/invoke/").content.decode()
    assert f"?pinned={mine.uuid}" in page and "orders.prod/create" in page

    form = login(invoker).get(f"/invoke/?pinned={mine.uuid}").context["form"]
    assert {k: form.initial[k] for k in ("region", "service", "qualifier", "function")} == {
        "region": "cn-shanghai",
        "service": "orders",
        "qualifier": "prod",
        "function": "create",
    }
    assert form.initial["profile"] == profile.uuid
    # A profile the user may not use is never preselected; they still get the target.
    form = login(invoker).get(f"/invoke/?pinned={theirs.uuid}").context["form"]
    assert form.initial["function"] == "audit" and "profile" not in form.initial


def test_an_unknown_pinned_target_leaves_the_form_empty(login, invoker, profile):
    form = login(invoker).get("/invoke/?pinned=not-a-uuid").context["form"]
    assert form.initial == {}


def test_a_body_over_the_upload_limit_gets_a_page_that_says_the_limits(login, invoker, profile, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = post(login(invoker), profile, event_kind="text", event_text="x" * (1024 * 1024 + 1))

    assert response.status_code == 413
    html = response.content.decode()
    assert "<h1>Too large</h1>" in html
    assert "larger than the console accepts (1.0 MB)" in html
    assert "at most 32.0 MB for a sync invocation and 128.0 KB for an async one" in html
    assert not Invocation.objects.exists()


def test_an_unreadable_api_request_gets_json_not_a_page(client):
    from django.core.exceptions import SuspiciousOperation

    from invocations.views.errors import bad_request

    request = client.get("/api/v1/").wsgi_request
    response = bad_request(request, SuspiciousOperation("bad header"))

    assert (response.status_code, json.loads(response.content)) == (
        400,
        {"code": "bad_request", "message": "The console could not read this request."},
    )
