"""FC 3.0 request signing: `ACS3-HMAC-SHA256` (Alibaba Cloud signature V3, fc3-api.md section 7).

One implementation serves both sides, as `signing.py` does for FC 2.0: the client signs with
`sign()` (or `request_headers()`, which also adds the `x-acs-*` headers), and fclocal checks
requests with `verify()`, whose positional signature is exactly `signing.verify`'s so fclocal can
call either. Proven against the vectors of fc3-api.md 7.4 and the official Python SDK's signer.

Which headers are signed: `sign()` signs every header it is given except `Authorization` (what the
Python SDK does), unless `signed_headers` names them. `verify()` takes the list from the request's
`SignedHeaders` (so the Node SDK, which leaves `x-fc-*` unsigned, is accepted too) and demands that
the `x-acs-*` headers of `REQUIRED_SIGNED_HEADERS` and `host` be among them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets as _secrets
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from .signing import VerificationError

ALGORITHM = "ACS3-HMAC-SHA256"
API_VERSION = "2023-03-30"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# unconfirmed (fc3-api.md 7.3 step 6): FC 3.0's clock-skew window is not documented; we chose FC
# 2.0's 15 minutes because it is the documented window of the same service's previous API.
MAX_CLOCK_SKEW_SECONDS = 15 * 60
# unconfirmed (fc3-api.md 7.3 step 6): the nonce replay window is not documented; verify() keeps
# no state and does not reject a replayed nonce (fclocal is a local emulator, not a gatekeeper).

# unconfirmed (fc3-api.md 6.2): whether the 3.0 gateway answers a bad signature with
# `SignatureNotMatch` (FC error-code page) or POP's `SignatureDoesNotMatch`; we chose FC's page.
SIGNATURE_MISMATCH_CODE = "SignatureNotMatch"
# unconfirmed (fc3-api.md 6.2): 3.0 spelling of the unknown-key code; we chose the FC page's.
UNKNOWN_KEY_CODE = "InvalidAccessKeyID"
# unconfirmed (fc3-api.md 11): the code for a stale x-acs-date; we chose 403 AccessDenied with
# FC 2.0's message text, as signing.CLOCK_SKEW_ERROR_CODE does for a stale Date.
CLOCK_SKEW_ERROR_CODE = "AccessDenied"
# unconfirmed (fc3-api.md 7.3 step 2): the answer when x-acs-content-sha256 does not match the
# body; we chose 400 InvalidArgument: the request is malformed, not unauthenticated.
CONTENT_SHA256_MISMATCH = ("InvalidArgument", 400)

# Headers a verifier demands be present and signed (fc3-api.md 7.2); `x-acs-security-token` too
# when it is present.
REQUIRED_SIGNED_HEADERS = (
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
)

_AUTHORIZATION_RE = re.compile(
    r"ACS3-HMAC-SHA256 Credential=(?P<key>[^,\s]+),SignedHeaders=(?P<names>[^,\s]+),Signature=(?P<sig>[0-9a-f]{64})"
)

Pair = tuple[str, str | None]


def acs_date(timestamp: float | None = None) -> str:
    """`x-acs-date`: UTC `YYYY-MM-DDTHH:MM:SSZ`."""
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, UTC)
    return moment.strftime(DATE_FORMAT)


def nonce() -> str:
    """`x-acs-signature-nonce`: 32 random hex digits, the Python SDK's length."""
    return _secrets.token_hex(16)


def content_sha256(body: bytes) -> str:
    """`x-acs-content-sha256` and the canonical request's HashedPayload."""
    return EMPTY_SHA256 if not body else hashlib.sha256(body).hexdigest()


def encode(value: str) -> str:
    """RFC 3986 percent-encoding (keep `A-Z a-z 0-9 - _ . ~`), UTF-8: path segments and query
    values, exactly the Python SDK's `quote(value, safe='~')`."""
    return quote(value, safe="~")


def canonical_uri(path: str) -> str:
    """The path as it travels (already encoded per segment). The Node SDK's mapping of `+`, `*`
    and `%7E` (fc3-api.md 7.3 step 3) is a no-op on what `encode` produces."""
    return path or "/"


def canonical_query(query: Mapping[str, str | None] | Iterable[Pair]) -> str:
    """Decoded parameters, sorted by name, `name=encoded value` joined by `&` (fc3-api.md 7.1
    step 3). Names stay unencoded, as both SDKs leave them. A value of None counts as empty."""
    pairs = query.items() if isinstance(query, Mapping) else query
    rendered = sorted((name, encode(value or "")) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in rendered)


def canonical_headers(headers: Mapping[str, str], names: Iterable[str] | None = None) -> tuple[str, str]:
    """(CanonicalHeaders, SignedHeaders) over `names` (lower case), or over every header but
    Authorization. Several headers whose names differ only in case are one, values sorted and
    joined by `,` (the Python SDK's rule)."""
    values: dict[str, list[str]] = {}
    for name, value in headers.items():
        if value is not None:
            values.setdefault(name.lower(), []).append(str(value).strip())
    wanted = sorted(set(names)) if names is not None else sorted(k for k in values if k != "authorization")
    lines = "".join(f"{name}:{','.join(sorted(values.get(name, ())))}\n" for name in wanted)
    return lines, ";".join(wanted)


def canonical_request(
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Mapping[str, str | None] | Iterable[Pair] = (),
    *,
    signed_headers: Iterable[str] | None = None,
    payload_hash: str | None = None,
) -> tuple[str, str]:
    """(CanonicalRequest, SignedHeaders). HashedPayload is `payload_hash`, else the request's own
    `x-acs-content-sha256` header, else the hash of an empty body."""
    lines, names = canonical_headers(headers, signed_headers)
    if payload_hash is None:
        lower = {k.lower(): v for k, v in headers.items()}
        payload_hash = lower.get("x-acs-content-sha256") or EMPTY_SHA256
    text = (
        f"{method.upper()}\n{canonical_uri(path)}\n{canonical_query(query)}\n{lines}\n{names}\n{payload_hash}"
    )
    return text, names


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def signature(secret: str, to_sign: str) -> str:
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def sign(
    access_key_id: str,
    access_key_secret: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Mapping[str, str | None] | Iterable[Pair] = (),
    *,
    signed_headers: Iterable[str] | None = None,
) -> str:
    """The value of the Authorization header for a request whose headers (the `x-acs-*` ones
    included) are final. `path` is percent-encoded as it travels; `query` is decoded."""
    canonical, names = canonical_request(method, path, headers, query, signed_headers=signed_headers)
    sig = signature(access_key_secret, string_to_sign(canonical))
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={names},Signature={sig}"


def request_headers(
    access_key_id: str,
    access_key_secret: str,
    method: str,
    path: str,
    *,
    host: str,
    action: str,
    query: Mapping[str, str | None] | Iterable[Pair] = (),
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    security_token: str | None = None,
    now: float | None = None,
    signature_nonce: str | None = None,
) -> dict[str, str]:
    """Every header a signed FC 3.0 request carries (fc3-api.md 3.1), Authorization last.

    `host` is the endpoint's host[:port] exactly as it goes on the wire; `headers` are the call's
    own (content-type, x-fc-*, user-agent...), all of which get signed, as the Python SDK does.
    """
    out = {name.lower(): value for name, value in (headers or {}).items()}
    out["host"] = host
    out["x-acs-action"] = action
    out["x-acs-version"] = API_VERSION
    out["x-acs-date"] = acs_date(now)
    out["x-acs-signature-nonce"] = signature_nonce or nonce()
    out["x-acs-content-sha256"] = content_sha256(body)
    if security_token:
        out["x-acs-credentials-provider"] = "static_sts"
        out["x-acs-accesskey-id"] = access_key_id
        out["x-acs-security-token"] = security_token
    else:
        out["x-acs-credentials-provider"] = "static_ak"
    out["authorization"] = sign(access_key_id, access_key_secret, method, path, out, query)
    return out


# -- verification (fclocal) ----------------------------------------------------------------------


def parse_authorization(value: str | None) -> tuple[str, list[str], str]:
    """(access key id, signed header names, signature) from fc3-api.md 7.1 step 8's exact form."""
    match = _AUTHORIZATION_RE.fullmatch(value.strip()) if value else None
    if not match:
        raise VerificationError("AccessDenied", "the Authorization header is missing or malformed")
    return match["key"], match["names"].split(";"), match["sig"]


def _emulator_uri(raw_path: str) -> str:
    """fc3-api.md 7.3 step 3: what the Node signer does to its own path, applied to ours."""
    return raw_path.replace("+", "%20").replace("*", "%2A").replace("%7E", "~").replace("%7e", "~")


def verify(
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Iterable[Pair],
    secrets: Mapping[str, str],
    now: float,
    *,
    body: bytes | None = None,
) -> str:
    """Check an ACS3-signed request (fc3-api.md 7.3). Returns the access key id, or raises
    `VerificationError`.

    Arguments as `signing.verify`: `path` is the raw path as received (percent-encoded, no
    query), `query` the decoded pairs (None for a bare key, which signs as `name=`), `headers` as
    received (any case), `secrets` maps key id to secret. Pass `body` (the de-chunked bytes) to
    have `x-acs-content-sha256` checked against it; without it the header is trusted as signed.
    """
    lower: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        lower[key] = f"{lower[key]},{value}" if key in lower else value
    key_id, names, sig = parse_authorization(lower.get("authorization"))
    secret = secrets.get(key_id)
    if secret is None:
        raise VerificationError(UNKNOWN_KEY_CODE, f"invalid access key ID '{key_id}'")
    required = REQUIRED_SIGNED_HEADERS + (
        ("x-acs-security-token",) if "x-acs-security-token" in lower else ()
    )
    for name in required:
        if name not in lower:
            raise VerificationError(
                "MissingRequiredHeader", f"required HTTP header {name} was not specified", 400
            )
        if name not in names:
            raise VerificationError("AccessDenied", f"the header {name} must be signed")
    date = lower["x-acs-date"]
    try:
        sent = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise VerificationError("InvalidArgument", f"invalid x-acs-date header '{date}'", 400) from None
    if abs(now - sent) > MAX_CLOCK_SKEW_SECONDS:
        raise VerificationError(
            CLOCK_SKEW_ERROR_CODE,
            f"the difference between the request time '{date}' and the current time "
            f"'{acs_date(now)}' is too large",
        )
    claimed = lower["x-acs-content-sha256"]
    if body is not None and not hmac.compare_digest(claimed.encode(), content_sha256(body).encode()):
        code, status = CONTENT_SHA256_MISMATCH
        raise VerificationError(code, "x-acs-content-sha256 does not match the request body", status)
    missing = [n for n in names if n not in lower]
    if missing:
        raise VerificationError(SIGNATURE_MISMATCH_CODE, f"signed header {missing[0]} is not in the request")
    query = list(query)
    # The path as received is what the Python SDK signed; the Node SDK signed it with step 3's
    # mapping applied (fc3-api.md 7.4 S10). Either signature is the client's, so either passes.
    candidates = dict.fromkeys((path or "/", _emulator_uri(path or "/")))
    for uri in candidates:
        canonical, _ = canonical_request(
            method, uri, lower, query, signed_headers=names, payload_hash=claimed
        )
        if hmac.compare_digest(signature(secret, string_to_sign(canonical)).encode(), sig.encode()):
            return key_id
    raise VerificationError(
        SIGNATURE_MISMATCH_CODE,
        "The request signature we calculated does not match the signature you provided. "
        "Check your access key and signing method",
    )
