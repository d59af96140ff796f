"""The FC signer: the SDK vectors of fc-api.md 2.4, the official SDK's own signer, and verify()."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from urllib.parse import quote

import pytest
from fc2.auth import Auth
from hypothesis import given, settings
from hypothesis import strategies as st

from invocations.fc.signing import VerificationError, sign, string_to_sign, verify

AK = "LTAI5tTestAccessKeyId"
SECRET = "TestAccessKeySecret0123456789abc"
DATE = "Mon, 02 Jan 2006 15:04:05 GMT"
NOW = parsedate_to_datetime(DATE).timestamp()

VECTORS = {
    "V1": dict(
        key_id=AK,
        method="GET",
        path="/2016-08-15/services",
        query=[("limit", "2"), ("prefix", "demo")],
        headers={"content-type": "application/json", "date": DATE},
        to_sign="GET\n\napplication/json\nMon, 02 Jan 2006 15:04:05 GMT\n/2016-08-15/services",
        auth="FC LTAI5tTestAccessKeyId:QlyXXAd/16i/TyH76JA3b9iJU8uoCd/PnUBGacdjG5c=",
    ),
    "V2": dict(
        key_id=AK,
        method="POST",
        path="/2016-08-15/services/demo-svc.LATEST/functions/hello/invocations",
        query=[],
        headers={
            "content-type": "application/json",
            "date": DATE,
            "x-fc-invocation-type": "Sync",
            "x-fc-log-type": "Tail",
        },
        to_sign="POST\n\napplication/json\nMon, 02 Jan 2006 15:04:05 GMT\nx-fc-invocation-type:Sync\n"
        "x-fc-log-type:Tail\n/2016-08-15/services/demo-svc.LATEST/functions/hello/invocations",
        auth="FC LTAI5tTestAccessKeyId:zdf1fC2Uwn87cbxXhjKprI++wK5+wp6dCM2xYInSOxY=",
    ),
    "V3": dict(
        key_id=AK,
        method="POST",
        path="/2016-08-15/services/demo-svc/functions/hello/invocations",
        query=[],
        headers={
            "content-type": "application/octet-stream",
            "date": DATE,
            "x-fc-invocation-type": "Async",
            "x-fc-stateful-async-invocation-id": "job-001",
        },
        to_sign="POST\n\napplication/octet-stream\nMon, 02 Jan 2006 15:04:05 GMT\nx-fc-invocation-type:Async\n"
        "x-fc-stateful-async-invocation-id:job-001\n/2016-08-15/services/demo-svc/functions/hello/invocations",
        auth="FC LTAI5tTestAccessKeyId:B2UWW/eeN/qS1dCD4MuCkyvdw6cyZ3CESnwtq1bi4SI=",
    ),
    "V4": dict(
        key_id=AK,
        method="POST",
        path="/2016-08-15/proxy/demo-svc.LATEST/web/path%20with%20space/action",
        query=[("x", "1"), ("a", "2"), ("x", "3"), ("with space", "foo bar")],
        headers={"content-type": "text/plain", "date": DATE},
        to_sign="POST\n\ntext/plain\nMon, 02 Jan 2006 15:04:05 GMT\n"
        "/2016-08-15/proxy/demo-svc.LATEST/web/path with space/action\na=2\nwith space=foo bar\nx=1\nx=3",
        auth="FC LTAI5tTestAccessKeyId:i93dCRapF9jj15CuhfleQgcKbitkHSd5mCJpPI121G0=",
    ),
    "V5": dict(
        key_id="STS.NTestTempKeyId",
        method="GET",
        path="/2016-08-15/services/demo-svc.prod/functions/hello",
        query=[],
        headers={
            "content-type": "application/json",
            "date": DATE,
            "x-fc-security-token": "CAIS-test-token==",
        },
        to_sign="GET\n\napplication/json\nMon, 02 Jan 2006 15:04:05 GMT\nx-fc-security-token:CAIS-test-token==\n"
        "/2016-08-15/services/demo-svc.prod/functions/hello",
        auth="FC STS.NTestTempKeyId:KsrERRVHhYdA9NJnIfeTztRQwu/BSA0+Q9gXFd+BjHM=",
    ),
    "N1": dict(
        key_id=AK,
        method="POST",
        path="/2016-08-15/services/demo-svc.LATEST/functions/hello/invocations",
        query=[],
        headers={
            "content-md5": "YTczNTNmN2NkZGNlODA4ZGUwMDMyNzQ3YTBiN2JlNTA=",
            "content-type": "application/octet-stream",
            "date": DATE,
            "x-fc-account-id": "1234567890123456",
            "X-Fc-Log-Type": "Tail",
            "X-Fc-Invocation-Code-Version": "Latest",
            "X-Fc-Invocation-Type": "Sync",
        },
        to_sign="POST\nYTczNTNmN2NkZGNlODA4ZGUwMDMyNzQ3YTBiN2JlNTA=\napplication/octet-stream\n"
        "Mon, 02 Jan 2006 15:04:05 GMT\nx-fc-account-id:1234567890123456\nx-fc-invocation-code-version:Latest\n"
        "x-fc-invocation-type:Sync\nx-fc-log-type:Tail\n"
        "/2016-08-15/services/demo-svc.LATEST/functions/hello/invocations",
        auth="FC LTAI5tTestAccessKeyId:StWEpzA7YCHgT2E/OZePg+877hWEiSL+hwGvlyTghWY=",
    ),
    "N2": dict(
        key_id=AK,
        method="GET",
        path="/2016-08-15/proxy/demo-svc.LATEST/web/",
        query=[],
        headers={"date": DATE},
        to_sign="GET\n\n\nMon, 02 Jan 2006 15:04:05 GMT\n/2016-08-15/proxy/demo-svc.LATEST/web/\n",
        auth="FC LTAI5tTestAccessKeyId:UH+ztZ6j+ji0eJOnUAMIDhu2GAAkbQk9nJ/beLK12S8=",
    ),
}


@pytest.mark.parametrize("name", VECTORS)
def test_it_builds_the_sdk_string_to_sign(name):
    v = VECTORS[name]
    assert string_to_sign(v["method"], v["path"], v["headers"], v["query"]) == v["to_sign"]


@pytest.mark.parametrize("name", VECTORS)
def test_it_reproduces_the_sdk_authorization(name):
    v = VECTORS[name]
    assert sign(v["key_id"], SECRET, v["method"], v["path"], v["headers"], v["query"]) == v["auth"]


@pytest.mark.parametrize("name", VECTORS)
def test_verify_accepts_each_sdk_vector_and_names_the_key(name):
    v = VECTORS[name]
    headers = {**v["headers"], "Authorization": v["auth"]}
    assert verify(v["method"], v["path"], headers, v["query"], {v["key_id"]: SECRET}, NOW) == v["key_id"]


# -- against the official SDK's signer --------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_segment = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/"), min_size=1, max_size=10)
_header_value = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
_fc_headers = st.dictionaries(
    st.from_regex(r"x-fc-[a-z0-9-]{1,12}", fullmatch=True), _header_value, max_size=4
).map(lambda d: {k.title() if i % 2 else k: v for i, (k, v) in enumerate(d.items())})


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "post"]),
    proxy=st.booleans(),
    segments=st.lists(_segment, min_size=1, max_size=4),
    trailing_slash=st.booleans(),
    content_type=st.one_of(st.none(), st.sampled_from(["application/json", "text/plain; charset=utf-8"])),
    content_md5=st.one_of(
        st.none(), st.sampled_from(["pzU/fN3OgI3gAydHoLe+UA==", "a7353f7cddce808de0032747a0b7be50"])
    ),
    fc_headers=_fc_headers,
    queries=st.dictionaries(_text.filter(bool), st.lists(_text, max_size=3), max_size=4),
    secret=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40),
)
def test_it_signs_exactly_like_the_official_python_sdk(
    method, proxy, segments, trailing_slash, content_type, content_md5, fc_headers, queries, secret
):
    """fc2.auth.Auth is the signer inside `aliyun-fc2`. It takes the unescaped path and a dict of
    query lists; we take the path as it travels (percent-encoded) and decoded query pairs."""
    prefix = "/2016-08-15/proxy/svc.LATEST/fn/" if proxy else "/2016-08-15/services/"
    raw_path = prefix + "/".join(segments) + ("/" if trailing_slash else "")
    headers = {"date": DATE, **fc_headers}
    if content_type is not None:
        headers["content-type"] = content_type
    if content_md5 is not None:
        headers["content-md5"] = content_md5
    pairs = [(k, v) for k, values in queries.items() for v in values] + [
        (k, None) for k, vs in queries.items() if not vs
    ]

    theirs = Auth(AK, secret).sign_request(method, raw_path, headers, queries if proxy else None)
    ours = sign(AK, secret, method, quote(raw_path, safe="/"), headers, pairs)

    assert ours == theirs


# -- verify() refusals carry FC's codes -------------------------------------------------------


def _signed(key_id=AK, secret=SECRET, date=DATE):
    headers = {"Date": date, "Content-Type": "application/json"}
    headers["Authorization"] = sign(key_id, secret, "GET", "/2016-08-15/services", headers)
    return headers


def test_verify_accepts_what_sign_makes():
    assert verify("GET", "/2016-08-15/services", _signed(), [], {AK: SECRET}, NOW) == AK


def test_verify_rejects_an_unknown_key_id_with_invalid_access_key_id():
    with pytest.raises(VerificationError) as err:
        verify("GET", "/2016-08-15/services", _signed(key_id="LTAIother"), [], {AK: SECRET}, NOW)
    assert (err.value.code, err.value.status) == ("InvalidAccessKeyID", 403)
    assert err.value.message == "invalid access key ID 'LTAIother'"


def test_verify_rejects_a_wrong_secret_with_signature_not_match():
    with pytest.raises(VerificationError) as err:
        verify("GET", "/2016-08-15/services", _signed(secret="wrong"), [], {AK: SECRET}, NOW)
    assert (err.value.code, err.value.status) == ("SignatureNotMatch", 403)
    assert SECRET not in err.value.message


def test_verify_rejects_a_request_changed_after_signing():
    with pytest.raises(VerificationError) as err:
        verify("GET", "/2016-08-15/services/other", _signed(), [], {AK: SECRET}, NOW)
    assert err.value.code == "SignatureNotMatch"


def test_verify_rejects_a_date_more_than_15_minutes_off():
    with pytest.raises(VerificationError) as err:
        verify("GET", "/2016-08-15/services", _signed(), [], {AK: SECRET}, NOW + 15 * 60 + 1)
    assert err.value.status == 403
    assert "is too large" in err.value.message


def test_verify_accepts_a_date_just_inside_the_15_minute_window():
    assert verify("GET", "/2016-08-15/services", _signed(), [], {AK: SECRET}, NOW - 15 * 60) == AK


@pytest.mark.parametrize("authorization", [None, "", "Bearer x", "FC nocolon", "FC :sig", "FC ak:"])
def test_verify_rejects_a_missing_or_garbled_authorization_with_access_denied(authorization):
    headers = _signed()
    if authorization is None:
        del headers["Authorization"]
    else:
        headers["Authorization"] = authorization
    with pytest.raises(VerificationError) as err:
        verify("GET", "/2016-08-15/services", headers, [], {AK: SECRET}, NOW)
    assert (err.value.code, err.value.status) == ("AccessDenied", 403)


def test_verify_requires_a_date_header():
    headers = _signed()
    del headers["Date"]
    with pytest.raises(VerificationError) as err:
        verify("GET", "/2016-08-15/services", headers, [], {AK: SECRET}, NOW)
    assert (err.value.code, err.value.status) == ("MissingRequiredHeader", 400)


def test_verify_rejects_an_unparseable_date():
    with pytest.raises(VerificationError) as err:
        verify("GET", "/2016-08-15/services", _signed(date="yesterday"), [], {AK: SECRET}, NOW)
    assert (err.value.code, err.value.status) == ("InvalidArgument", 400)
