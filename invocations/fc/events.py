"""Trigger event templates: the events FC triggers deliver, built from a few named parameters.

Each template produces the shape `s cli fc-event <type>` writes into `./event-template/`
(fc-api.md §8), with the placeholders turned into parameters (bucket, object key, region, ...)
so a developer fills in what matters and keeps realistic values for the rest. `timer` and
`kafka` have no fc-event template; their shapes come from FC's trigger documentation and their
files are named `timer-event.json` and `kafka-event.json` like the other event files.

Two HTTP templates: `http` is the request description `s invoke` sends to an HTTP function
(FC 2.0 and 3.0 alike, through the trigger); `http-fc3` is the JSON event an FC 3.0 built-in
runtime's handler receives from its HTTP trigger (fc3-api.md §8.1), for invoking such a handler
directly. The other templates are the same events in FC 2.0 and 3.0.

Parameter values arrive as text (a form field, a command-line flag); a parameter whose default
is an int is converted to int. Blank time parameters mean "now" so a fresh event looks fresh.
No Django imports here: the CLI, the web forms and tests share this module.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote, unquote

ACCOUNT_ID = "1234567890123456"
REGION = "cn-hangzhou"


class TemplateError(ValueError):
    """A template name or parameter value that cannot be used; `param` names the culprit."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    default: str | int
    help: str = ""
    choices: tuple[str, ...] = ()
    # "text", "lines" (text of several lines), or "time" (ISO 8601, blank = now); an int default
    # makes a whole-number parameter.
    kind: str = "text"

    def convert(self, value) -> str | int:
        """The value in this parameter's type, or TemplateError saying what was expected."""
        if self.kind == "time":
            _time(str(value), self)
            return str(value).strip()
        if isinstance(self.default, int):
            try:
                return int(str(value).strip())
            except ValueError:
                raise TemplateError(
                    f"{self.label} must be a whole number, not {value!r}.", self.name
                ) from None
        value = str(value)
        if self.choices and value not in self.choices:
            raise TemplateError(f"{self.label} must be one of: {', '.join(self.choices)}.", self.name)
        return value


@dataclass(frozen=True)
class EventTemplate:
    name: str
    label: str
    # A file name under event-template/; `{param}` placeholders are filled from the parameters
    # for the templates where fc-event asks a question (mns shape, cdn event name).
    filename: str
    params: list[Param]
    builder: Callable[..., dict | list | str] = field(repr=False)

    def values(self, **given) -> dict[str, str | int]:
        """Defaults overlaid with `given`, converted; unknown names are an error, not ignored."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise TemplateError(
                f"{self.name} has no parameter {unknown[0]!r}; it takes: {', '.join(known)}.", unknown[0]
            )
        return {name: p.convert(given.get(name, p.default)) for name, p in known.items()}

    def build(self, **given) -> dict | list | str:
        return self.builder(**self.values(**given))

    def filename_for(self, **given) -> str:
        return self.filename.format(**self.values(**given))

    def render(self, **given) -> str:
        """The file's text: pretty JSON, or the raw text for events that are not JSON."""
        event = self.build(**given)
        if isinstance(event, str):
            return event
        return json.dumps(event, indent=2, ensure_ascii=False) + "\n"


def render(name: str, **params) -> str:
    return get(name).render(**params)


def get(name: str) -> EventTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise TemplateError(f"No event template {name!r}; choose one of: {', '.join(TEMPLATES)}.") from None


# --- helpers ---------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _time(value: str, param: Param | None = None) -> datetime:
    """An ISO 8601 time, or now when blank; naive times are taken as UTC."""
    if not value.strip():
        return _now()
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        label = param.label if param else "Time"
        raise TemplateError(
            f"{label} must be an ISO 8601 time such as 2024-01-01T00:00:00Z, not {value!r}.",
            param.name if param else None,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stable_id(*parts) -> str:
    """An id derived from the inputs, so the same parameters give the same event text."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "/".join(str(p) for p in parts)).hex


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest().upper()


def _pairs(text: str) -> dict[str, str]:
    """`a=1&b=2` (or one pair per line) as a dict; blank gives {}."""
    pairs = {}
    for chunk in text.replace("\n", "&").split("&"):
        if chunk.strip():
            key, _, value = chunk.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


# How a parameter is typed: one line of text, a time (ISO 8601; blank means now), or several
# lines (e.g. headers, one `Name: value` per line).
PARAM_KINDS = ("text", "time", "lines")


def _p(name, label, default, help="", choices=(), kind="text") -> Param:
    return Param(name, label, default, help, tuple(choices), kind)


def _when(name, label) -> Param:
    return _p(name, label, "", "ISO 8601; blank means now.", kind="time")


_REGION = _p("region", "Region", REGION)
_ACCOUNT = _p(
    "account_id", "Account ID", ACCOUNT_ID, "The Alibaba Cloud account (aliUid) that owns the source."
)
_EVENT_TIME = _when("event_time", "Event time")

# --- http ------------------------------------------------------------------------------------


def _http(method, path, content_type, queries, body):
    # What `s invoke` sends to an HTTP function (§10.3): a request description, not an event.
    if "json" in content_type:
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            raise TemplateError("Body must be JSON when the content type is JSON.", "body") from None
    else:
        payload = body
    return {
        "method": method,
        "path": path,
        "headers": {"Content-Type": content_type},
        "queries": _pairs(queries),
        "body": payload,
    }


HTTP = EventTemplate(
    "http",
    "HTTP trigger request",
    "http-parameter.json",
    [
        _p("method", "Method", "POST", choices=("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")),
        _p("path", "Path", "/", "Appended to the function's URL."),
        _p("content_type", "Content-Type", "application/json"),
        _p("queries", "Query", "key=value", "key=value pairs joined with & (or one per line)."),
        _p("body", "Body", '{"key": "value"}', "JSON when the content type is JSON, else sent as text."),
    ],
    _http,
)

# --- http, FC 3.0 ------------------------------------------------------------------------------


def _http3(method, path, headers, queries, body, source_ip, account_id, region, trigger_id, event_time):
    # What an FC 3.0 built-in runtime's handler receives from its HTTP trigger (fc3-api.md §8.1):
    # a JSON event, unlike `http` above, which describes the request `s invoke` sends.
    moment = _time(event_time)
    decoded = unquote("/" + path.lstrip("/"))
    given = _header_lines(headers)
    user_agent = next((v for k, v in given.items() if k.lower() == "user-agent"), "curl/8.0")
    domain = f"{trigger_id}.{region}.fcapp.run"
    return {
        "version": "v1",
        "rawPath": quote(decoded, safe="/"),
        "body": body,
        "isBase64Encoded": False,
        "headers": given,
        "queryParameters": _pairs(queries),
        "requestContext": {
            "accountId": account_id,
            "domainName": domain,
            "domainPrefix": trigger_id,
            "http": {
                "method": method,
                "path": decoded,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": user_agent,
            },
            "requestId": f"1-{int(moment.timestamp()):08x}-"
            + _stable_id("http3", method, decoded, moment.isoformat())[:24],
            "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timeEpoch": str(int(moment.timestamp() * 1000)),
        },
    }


def _header_lines(text: str) -> dict[str, str]:
    """`Name: value` lines as a dict, names with upper-cased initials as FC 3.0 normalises them."""
    headers = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            headers["-".join(p[:1].upper() + p[1:] for p in name.strip().split("-"))] = value.strip()
    return headers


HTTP3 = EventTemplate(
    "http-fc3",
    "HTTP trigger event (FC 3.0)",
    "http-fc3-event.json",
    [
        _p("method", "Method", "POST", choices=("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")),
        _p("path", "Path", "/example", "The request path after the trigger's domain."),
        _p(
            "headers",
            "Headers",
            "Content-Type: application/json\nUser-Agent: curl/8.0",
            "One per line: Name: value. Repeated headers arrive merged: value1,value2.",
            kind="lines",
        ),
        _p("queries", "Query", "key=value", "key=value pairs joined with & (or one per line)."),
        _p("body", "Body", '{"key": "value"}', "Always a string in the event."),
        _p("source_ip", "Source IP", "203.0.113.10"),
        _ACCOUNT,
        _REGION,
        _p("trigger_id", "HTTP trigger ID", "hello-http-abcdefghij"),
        _EVENT_TIME,
    ],
    _http3,
)

# --- oss -------------------------------------------------------------------------------------


def _oss(event_name, bucket, key, size, region, account_id, source_ip, event_time):
    etag = _md5_upper(f"{bucket}/{key}/{size}")
    return {
        "events": [
            {
                "eventName": event_name,
                "eventSource": "acs:oss",
                "eventTime": _time(event_time).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "eventVersion": "1.0",
                "oss": {
                    "bucket": {
                        "arn": f"acs:oss:{region}:{account_id}:{bucket}",
                        "name": bucket,
                        "ownerIdentity": account_id,
                        "virtualBucket": "",
                    },
                    "object": {"deltaSize": size, "eTag": etag, "key": key, "size": size},
                    "ossSchemaVersion": "1.0",
                    "ruleId": _stable_id("oss-rule", bucket),
                },
                "region": region,
                "requestParameters": {"sourceIPAddress": source_ip},
                "responseElements": {"requestId": _stable_id("oss-request", bucket, key).upper()[:24]},
                "userIdentity": {"principalId": account_id},
            }
        ]
    }


OSS = EventTemplate(
    "oss",
    "OSS object event",
    "oss-event.json",
    [
        _p(
            "event_name",
            "Event name",
            "ObjectCreated:PutObject",
            "As delivered (the trigger config spells it with an oss: prefix).",
            (
                "ObjectCreated:PutObject",
                "ObjectCreated:PostObject",
                "ObjectCreated:CopyObject",
                "ObjectCreated:CompleteMultipartUpload",
                "ObjectCreated:AppendObject",
                "ObjectCreated:PutSymlink",
                "ObjectRemoved:DeleteObject",
                "ObjectRemoved:DeleteObjects",
                "ObjectRemoved:AbortMultipartUpload",
            ),
        ),
        _p("bucket", "Bucket", "my-bucket"),
        _p("key", "Object key", "source/example.png"),
        _p("size", "Object size (bytes)", 1024),
        _REGION,
        _ACCOUNT,
        _p("source_ip", "Source IP", "203.0.113.10"),
        _EVENT_TIME,
    ],
    _oss,
)

# --- sls -------------------------------------------------------------------------------------


def _sls(project, logstore, shard_id, region, job_name, cursor_time):
    begin = _time(cursor_time)
    cursor = int(begin.timestamp())
    return {
        "parameter": {},
        "source": {
            "endpoint": f"http://{region}-intranet.log.aliyuncs.com",
            "projectName": project,
            "logstoreName": logstore,
            "shardId": shard_id,
            # Cursors are opaque to the function; these are shaped like SLS's base64 cursors.
            "beginCursor": "MTUyOTQ4MDIwOTY1NTk3ODQ2Mw==",
            "endCursor": "MTUyOTQ4MDIwOTY1NTk3ODQ2NA==",
        },
        "jobName": job_name,
        "taskId": str(uuid.UUID(_stable_id("sls-task", project, logstore, shard_id, cursor))),
        "cursorTime": cursor,
    }


SLS = EventTemplate(
    "sls",
    "Log Service (SLS) event",
    "sls-event.json",
    [
        _p("project", "Project", "my-project"),
        _p("logstore", "Logstore", "my-logstore"),
        _p("shard_id", "Shard ID", 0),
        _REGION,
        _p("job_name", "Job name", "1f7043ced683de1a4e3d8d70b5a412843d817638"),
        _when("cursor_time", "Cursor time"),
    ],
    _sls,
)

# --- mns -------------------------------------------------------------------------------------

MNS_SHAPES = (
    "stream-without-message-attributes",
    "stream-with-message-attributes",
    "json-without-message-attributes",
    "json-with-message-attributes",
)


def _mns(shape, message, topic, subscription, account_id, attributes, publish_time):
    attrs = _pairs(attributes)
    if shape == "stream-without-message-attributes":
        return message  # the raw message text is the whole event
    if shape == "stream-with-message-attributes":
        return {"body": message, "attrs": {"Extend": json.dumps(attrs, separators=(",", ":"))}}
    event = {
        "TopicOwner": account_id,
        "Message": message,
        "Subscriber": account_id,
        "PublishTime": int(_time(publish_time).timestamp() * 1000),
        "SubscriptionName": subscription,
        "MessageMD5": _md5_upper(message),
        "TopicName": topic,
        "MessageId": _stable_id("mns", topic, message).upper(),
    }
    if shape == "json-with-message-attributes":
        # Attributes appear as top-level keys beside the message fields (fc-event's template).
        event = attrs | event
    return event


MNS = EventTemplate(
    "mns",
    "MNS topic message",
    "mns-{shape}.json",
    [
        _p(
            "shape",
            "Event format",
            "json-without-message-attributes",
            "The trigger's event format (STREAM or JSON) and whether the message has attributes.",
            MNS_SHAPES,
        ),
        _p("message", "Message", "hello topic"),
        _p("topic", "Topic", "my-topic"),
        _p("subscription", "Subscription", "my-subscription"),
        _ACCOUNT,
        _p("attributes", "Message attributes", "key=value", "key=value pairs joined with &."),
        _when("publish_time", "Publish time"),
    ],
    _mns,
)

# --- cdn -------------------------------------------------------------------------------------

CDN_EVENTS = (
    "LogFileCreated",
    "CachedObjectsRefreshed",
    "CachedObjectsPushed",
    "CachedObjectsBlocked",
    "CdnDomainStarted",
    "CdnDomainStopped",
    "CdnDomainAdded",
    "CdnDomainDeleted",
)
CHINA = timezone(timedelta(hours=8))  # CDN events carry Beijing time with its offset


def _cdn_parameter(event_name, domain, moment, object_path):
    stamp = int(moment.timestamp())
    if event_name == "LogFileCreated":
        day = moment.astimezone(CHINA)
        return {
            "domain": domain,
            "startTime": stamp - 300,
            "endTime": stamp,
            "fileSize": 1788115,
            "filePath": f"http://cdnlog.cn-hangzhou.oss.aliyun-inc.com/{domain}/{day:%Y_%m_%d}/"
            f"{domain}_{day:%Y_%m_%d_%H%M}00_{day:%H%M}00.gz",
        }
    if event_name.startswith("CachedObjects"):
        return {
            "objectPath": [p.strip() for p in object_path.split(",") if p.strip()],
            "createTime": stamp - 5,
            "completeTime": stamp,
            "domain": domain,
            "objectType": "File",
            "taskId": int(_stable_id("cdn-task", domain, stamp)[:8], 16),
        }
    if event_name in ("CdnDomainStarted", "CdnDomainStopped"):
        return {"domain": domain, "status": "online" if event_name == "CdnDomainStarted" else "offline"}
    return {"domain": domain}


def _cdn(event_name, domain, region, account_id, object_path, event_time):
    moment = _time(event_time)
    return {
        "events": [
            {
                "eventName": event_name,
                "eventVersion": "1.0.0",
                "eventSource": "cdn",
                "region": region,
                "eventTime": moment.astimezone(CHINA).isoformat(timespec="seconds"),
                "traceId": str(uuid.UUID(_stable_id("cdn", event_name, domain, moment.isoformat()))),
                "resource": {"domain": domain},
                "eventParameter": _cdn_parameter(event_name, domain, moment, object_path),
                "userIdentity": {"aliUid": account_id},
            }
        ]
    }


CDN = EventTemplate(
    "cdn",
    "CDN event",
    "cdn-{event_name}.json",
    [
        _p("event_name", "Event name", "LogFileCreated", choices=CDN_EVENTS),
        _p("domain", "Domain", "example.com"),
        _REGION,
        _ACCOUNT,
        _p(
            "object_path",
            "Object paths",
            "/2024/01/01/index.html",
            "For CachedObjects* events: comma-separated paths.",
        ),
        _EVENT_TIME,
    ],
    _cdn,
)

# --- tablestore ------------------------------------------------------------------------------


def _tablestore(record_type, pk_name, pk_value, column, value, event_time):
    micros = int(_time(event_time).timestamp() * 1_000_000)
    record = {
        "Type": record_type,
        "Info": {"Timestamp": micros},
        "PrimaryKey": [{"ColumnName": pk_name, "Value": pk_value}],
        "Columns": [],
    }
    if record_type != "DeleteRow":
        record["Columns"] = [
            {"Type": "Put", "ColumnName": column, "Value": value, "Timestamp": micros // 1000}
        ]
    return {"Version": "Sync-v1", "Records": [record]}


TABLESTORE = EventTemplate(
    "tablestore",
    "Tablestore stream record",
    "tablestore-event.json",
    [
        _p(
            "record_type",
            "Record type",
            "PutRow",
            "Tablestore delivers this structure CBOR-encoded; the template is the decoded form.",
            ("PutRow", "UpdateRow", "DeleteRow"),
        ),
        _p("pk_name", "Primary key column", "pk"),
        _p("pk_value", "Primary key value", "k1"),
        _p("column", "Column", "c1"),
        _p("value", "Column value", "v1"),
        _EVENT_TIME,
    ],
    _tablestore,
)

# --- timer -----------------------------------------------------------------------------------


def _timer(trigger_name, payload, trigger_time):
    return {
        "triggerTime": _time(trigger_time).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "triggerName": trigger_name,
        "payload": payload,
    }


TIMER = EventTemplate(
    "timer",
    "Timer trigger",
    "timer-event.json",
    [
        _p("trigger_name", "Trigger name", "timer-trigger"),
        _p("payload", "Payload", "awesome-fc", "The trigger's configured message."),
        _when("trigger_time", "Trigger time"),
    ],
    _timer,
)

# --- kafka -----------------------------------------------------------------------------------


def _kafka(topic, instance_id, key, value, partition, offset, account_id, element_form, event_time):
    moment = _time(event_time)
    millis = int(moment.timestamp() * 1000)
    event = {
        "specversion": "1.0",
        "id": str(uuid.UUID(_stable_id("kafka", instance_id, topic, partition, offset))),
        "source": "acs:alikafka",
        "type": "alikafka:Topic:Message",
        "subject": f"acs:alikafka_{instance_id}:topic:{topic}",
        "datacontenttype": "application/json; charset=utf-8",
        "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        "aliyunaccountid": account_id,
        "data": {
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "timestamp": millis,
            "headers": {"headers": [], "isReadOnly": False},
            "key": key,
            "value": value,
        },
    }
    # Which element form FC delivers depends on the event-stream push settings (unconfirmed, §11).
    return [json.dumps(event, separators=(",", ":")) if element_form == "string" else event]


KAFKA = EventTemplate(
    "kafka",
    "ApsaraMQ for Kafka message",
    "kafka-event.json",
    [
        _p("topic", "Topic", "my-topic"),
        _p("instance_id", "Instance ID", "alikafka_pre-cn-7mz2xxxx0001"),
        _p("key", "Message key", "k"),
        _p("value", "Message value", "hello kafka"),
        _p("partition", "Partition", 0),
        _p("offset", "Offset", 0),
        _ACCOUNT,
        _p(
            "element_form",
            "Element form",
            "object",
            "CloudEvents as objects, or as JSON-encoded strings (depends on the push settings).",
            ("object", "string"),
        ),
        _EVENT_TIME,
    ],
    _kafka,
)

TEMPLATES: dict[str, EventTemplate] = {
    t.name: t for t in (HTTP, HTTP3, OSS, SLS, MNS, CDN, TABLESTORE, TIMER, KAFKA)
}
