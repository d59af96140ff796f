"""invocations.fc.events: each trigger template builds the shape of fc-api.md §8 from its parameters."""

import hashlib
import json

import pytest

from invocations.fc import events

WHEN = "2024-01-01T00:00:00Z"


def test_there_is_a_template_for_every_trigger_type():
    assert list(events.TEMPLATES) == [
        "http", "http-fc3", "oss", "sls", "mns", "cdn", "tablestore", "timer", "kafka"
    ]  # fmt: skip


@pytest.mark.parametrize("name", list(events.TEMPLATES))
def test_every_template_renders_with_its_defaults_alone(name):
    text = events.render(name)
    assert text.strip()
    assert events.TEMPLATES[name].filename_for().endswith(".json")


@pytest.mark.parametrize("name", ["http-fc3", "oss", "sls", "cdn", "tablestore", "timer", "kafka", "mns"])
def test_the_same_parameters_give_the_same_text(name):
    template = events.TEMPLATES[name]
    times = {p.name: WHEN for p in template.params if p.kind == "time"}
    assert template.render(**times) == template.render(**times)


def test_http_describes_the_request_s_invoke_sends():
    event = events.TEMPLATES["http"].build(
        method="GET", path="/users", queries="page=2&size=10", body='{"a": 1}'
    )
    assert event == {
        "method": "GET",
        "path": "/users",
        "headers": {"Content-Type": "application/json"},
        "queries": {"page": "2", "size": "10"},
        "body": {"a": 1},
    }


def test_http_sends_a_text_body_as_text():
    event = events.TEMPLATES["http"].build(content_type="text/plain", body="not json")
    assert event["body"] == "not json"


def test_http_rejects_a_json_body_that_is_not_json():
    with pytest.raises(events.TemplateError) as exc:
        events.TEMPLATES["http"].build(body="{oops")
    assert exc.value.param == "body"


def test_http_fc3_is_the_event_a_built_in_runtime_receives_from_its_http_trigger():
    """fc3-api.md §8.1: version v1, rawPath encoded and http.path decoded, body a string, repeated
    headers and query values merged by FC into one comma-separated value, times as text."""
    event = events.TEMPLATES["http-fc3"].build(
        method="GET",
        path="/a b",
        headers="content-type: text/plain\nX-Multi: v1,v2",
        queries="page=2&tag=a,b",
        body="hi",
        account_id="1234567890123456",
        region="cn-shanghai",
        trigger_id="trig-1",
        event_time="2023-09-05T06:41:11Z",
    )
    assert (event["version"], event["rawPath"], event["body"], event["isBase64Encoded"]) == (
        "v1",
        "/a%20b",
        "hi",
        False,
    )
    assert event["headers"] == {"Content-Type": "text/plain", "X-Multi": "v1,v2"}
    assert event["queryParameters"] == {"page": "2", "tag": "a,b"}
    context = event["requestContext"]
    assert context["domainName"] == "trig-1.cn-shanghai.fcapp.run" and context["domainPrefix"] == "trig-1"
    assert (context["http"]["method"], context["http"]["path"]) == ("GET", "/a b")
    assert context["time"] == "2023-09-05T06:41:11Z" and context["timeEpoch"] == "1693896071000"
    assert context["requestId"].startswith("1-64f6cd87-")


def test_the_http_templates_say_which_is_which():
    assert events.TEMPLATES["http-fc3"].label == "HTTP trigger event (FC 3.0)"
    assert "http-fc3" in events.TEMPLATES and events.TEMPLATES["http"].label == "HTTP trigger request"


def test_oss_carries_bucket_key_region_and_account():
    event = events.TEMPLATES["oss"].build(
        bucket="photos",
        key="in/cat.jpg",
        size="2048",
        region="cn-shanghai",
        account_id="999",
        event_time=WHEN,
    )
    record = event["events"][0]
    assert record["eventName"] == "ObjectCreated:PutObject"
    assert record["eventSource"] == "acs:oss"
    assert record["eventTime"] == "2024-01-01T00:00:00.000Z"
    assert record["region"] == "cn-shanghai"
    assert record["oss"]["bucket"] == {
        "arn": "acs:oss:cn-shanghai:999:photos",
        "name": "photos",
        "ownerIdentity": "999",
        "virtualBucket": "",
    }
    assert record["oss"]["object"]["key"] == "in/cat.jpg"
    assert record["oss"]["object"]["size"] == 2048
    assert len(record["oss"]["object"]["eTag"]) == 32
    assert record["userIdentity"] == {"principalId": "999"}
    assert events.TEMPLATES["oss"].filename_for() == "oss-event.json"


def test_oss_rejects_an_unknown_event_name():
    with pytest.raises(events.TemplateError) as exc:
        events.TEMPLATES["oss"].build(event_name="ObjectCreated:Teleport")
    assert exc.value.param == "event_name"


def test_sls_endpoint_follows_the_region():
    event = events.TEMPLATES["sls"].build(
        region="cn-beijing", project="p", logstore="ls", shard_id="3", cursor_time=WHEN
    )
    assert event["source"]["endpoint"] == "http://cn-beijing-intranet.log.aliyuncs.com"
    assert event["source"]["projectName"] == "p"
    assert event["source"]["logstoreName"] == "ls"
    assert event["source"]["shardId"] == 3
    assert event["cursorTime"] == 1704067200
    assert set(event) == {"parameter", "source", "jobName", "taskId", "cursorTime"}


def test_mns_stream_without_attributes_is_the_raw_message_text():
    template = events.TEMPLATES["mns"]
    assert template.render(shape="stream-without-message-attributes", message="hi there") == "hi there"
    assert template.filename_for(shape="stream-without-message-attributes") == (
        "mns-stream-without-message-attributes.json"
    )


def test_mns_stream_with_attributes_wraps_body_and_attrs():
    event = events.TEMPLATES["mns"].build(
        shape="stream-with-message-attributes", message="m", attributes="a=1"
    )
    assert event == {"body": "m", "attrs": {"Extend": '{"a":"1"}'}}


def test_mns_json_without_attributes_has_the_topic_fields():
    event = events.TEMPLATES["mns"].build(
        shape="json-without-message-attributes", message="m", topic="t", account_id="42", publish_time=WHEN
    )
    assert event["Message"] == "m"
    assert event["TopicName"] == "t"
    assert event["TopicOwner"] == event["Subscriber"] == "42"
    assert event["PublishTime"] == 1704067200000
    assert event["MessageMD5"] == hashlib.md5(b"m").hexdigest().upper()
    assert "key" not in event


def test_mns_json_with_attributes_puts_them_at_top_level():
    event = events.TEMPLATES["mns"].build(shape="json-with-message-attributes", attributes="color=red&size=L")
    assert event["color"] == "red"
    assert event["size"] == "L"
    assert event["Message"] == "hello topic"
    assert events.TEMPLATES["mns"].filename_for(shape="json-with-message-attributes") == (
        "mns-json-with-message-attributes.json"
    )


@pytest.mark.parametrize("event_name", events.CDN_EVENTS)
def test_cdn_names_the_file_after_the_event(event_name):
    assert events.TEMPLATES["cdn"].filename_for(event_name=event_name) == f"cdn-{event_name}.json"
    record = events.TEMPLATES["cdn"].build(event_name=event_name, domain="cdn.example.org")["events"][0]
    assert record["eventName"] == event_name
    assert record["eventSource"] == "cdn"
    assert record["resource"] == {"domain": "cdn.example.org"}
    assert record["eventParameter"]["domain"] == "cdn.example.org"


def test_cdn_event_parameters_follow_the_event_name():
    build = events.TEMPLATES["cdn"].build
    assert set(build(event_name="LogFileCreated")["events"][0]["eventParameter"]) == {
        "domain",
        "startTime",
        "endTime",
        "fileSize",
        "filePath",
    }
    refreshed = build(event_name="CachedObjectsRefreshed", object_path="/a.html, /b.css")["events"][0]
    assert refreshed["eventParameter"]["objectPath"] == ["/a.html", "/b.css"]
    assert refreshed["eventParameter"]["objectType"] == "File"
    assert build(event_name="CdnDomainStopped")["events"][0]["eventParameter"]["status"] == "offline"
    assert build(event_name="CdnDomainAdded")["events"][0]["eventParameter"] == {"domain": "example.com"}


def test_cdn_times_are_beijing_time():
    record = events.TEMPLATES["cdn"].build(event_time=WHEN)["events"][0]
    assert record["eventTime"] == "2024-01-01T08:00:00+08:00"


def test_tablestore_record_is_the_decoded_stream_record():
    event = events.TEMPLATES["tablestore"].build(
        pk_name="id", pk_value="42", column="name", value="Ada", event_time=WHEN
    )
    assert event["Version"] == "Sync-v1"
    (record,) = event["Records"]
    assert record["Type"] == "PutRow"
    assert record["Info"] == {"Timestamp": 1704067200000000}
    assert record["PrimaryKey"] == [{"ColumnName": "id", "Value": "42"}]
    assert record["Columns"] == [
        {"Type": "Put", "ColumnName": "name", "Value": "Ada", "Timestamp": 1704067200000}
    ]


def test_tablestore_delete_row_has_no_columns():
    (record,) = events.TEMPLATES["tablestore"].build(record_type="DeleteRow")["Records"]
    assert record["Columns"] == []


def test_timer_event():
    event = events.TEMPLATES["timer"].build(trigger_name="nightly", payload="go", trigger_time=WHEN)
    assert event == {"triggerTime": "2024-01-01T00:00:00Z", "triggerName": "nightly", "payload": "go"}
    assert events.TEMPLATES["timer"].filename_for() == "timer-event.json"


def test_kafka_is_an_array_of_cloudevents():
    event = events.TEMPLATES["kafka"].build(
        topic="orders",
        instance_id="alikafka_x",
        value="v",
        key="k",
        partition="7",
        offset="25",
        event_time=WHEN,
    )
    (record,) = event
    assert record["source"] == "acs:alikafka"
    assert record["type"] == "alikafka:Topic:Message"
    assert record["subject"] == "acs:alikafka_alikafka_x:topic:orders"
    assert record["time"] == "2024-01-01T00:00:00.000Z"
    assert record["data"]["partition"] == 7
    assert record["data"]["offset"] == 25
    assert record["data"]["value"] == "v"
    assert record["data"]["timestamp"] == 1704067200000
    assert events.TEMPLATES["kafka"].filename_for() == "kafka-event.json"


def test_kafka_can_deliver_elements_as_json_strings():
    (element,) = events.TEMPLATES["kafka"].build(element_form="string", topic="orders")
    assert isinstance(element, str)
    assert json.loads(element)["data"]["topic"] == "orders"


def test_render_is_pretty_json_that_parses_back():
    text = events.render("timer", trigger_time=WHEN)
    assert text.startswith("{\n  ")
    assert json.loads(text)["triggerTime"] == "2024-01-01T00:00:00Z"


def test_it_rejects_an_unknown_parameter():
    with pytest.raises(events.TemplateError) as exc:
        events.TEMPLATES["timer"].build(bucket="b")
    assert exc.value.param == "bucket"


def test_it_rejects_a_non_numeric_number():
    with pytest.raises(events.TemplateError, match="whole number") as exc:
        events.TEMPLATES["oss"].build(size="big")
    assert exc.value.param == "size"


def test_it_rejects_a_time_that_is_not_iso_8601():
    with pytest.raises(events.TemplateError, match="ISO 8601") as exc:
        events.TEMPLATES["timer"].build(trigger_time="yesterday")
    assert exc.value.param == "trigger_time"


def test_it_rejects_an_unknown_template():
    with pytest.raises(events.TemplateError, match="No event template 'ftp'"):
        events.get("ftp")


def test_every_parameter_kind_is_one_the_api_documents():
    kinds = {param.kind for template in events.TEMPLATES.values() for param in template.params}
    assert kinds <= set(events.PARAM_KINDS) and "lines" in kinds
