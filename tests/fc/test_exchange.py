"""What an exchange keeps of a request: everything but the signature and the STS token."""

from invocations.fc import acs3
from invocations.fc.exchange import MASK, masked, masked_headers


def test_an_fc2_authorization_keeps_the_scheme_and_the_key_ids_ends_only():
    assert masked("Authorization", "FC LTAIfclocalDemoKey:c2lnbmF0dXJl") == f"FC LTAI{MASK}oKey:{MASK}"


def test_an_acs3_authorization_keeps_its_signed_header_names_but_not_the_signature():
    value = (
        "ACS3-HMAC-SHA256 Credential=LTAIfclocalDemoKey,SignedHeaders=host;x-acs-date,Signature=abcdef0123"
    )
    shown = masked("authorization", value)
    assert (
        shown == f"ACS3-HMAC-SHA256 Credential=LTAI{MASK}oKey,SignedHeaders=host;x-acs-date,Signature={MASK}"
    )
    assert "abcdef0123" not in shown


def test_an_authorization_of_an_unknown_shape_is_masked_whole():
    assert masked("Authorization", "Bearer secret-token") == MASK


def test_security_tokens_of_both_versions_are_masked_and_other_headers_kept():
    headers = {
        "x-fc-security-token": "t1",
        "X-Acs-Security-Token": "t2",
        "x-acs-date": "2026-12-06T00:00:00Z",
    }
    assert masked_headers(headers) == {
        "x-fc-security-token": MASK,
        "X-Acs-Security-Token": MASK,
        "x-acs-date": "2026-12-06T00:00:00Z",
    }


def test_what_the_acs3_signer_sends_keeps_no_secret_once_masked():
    sent = acs3.request_headers(
        "LTAIfclocalDemoKey", "the-secret", "POST", "/2023-03-30/functions/hello/invocations",
        host="127.0.0.1:9000", action="InvokeFunction", body=b"{}", security_token="the-sts-token",
    )  # fmt: skip
    signature = {k.lower(): v for k, v in sent.items()}["authorization"].rsplit("Signature=", 1)[1]
    shown = " ".join(f"{k}: {v}" for k, v in masked_headers(sent).items())
    assert signature not in shown and "the-sts-token" not in shown and "LTAIfclocalDemoKey" not in shown
    assert "SignedHeaders=" in shown
