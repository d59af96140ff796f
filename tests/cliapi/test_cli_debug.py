"""`--debug` masks what would let someone sign as the profile: FC 2.0's and 3.0's signatures,
the STS token, and shows key ids only masked."""

import pytest
import requests

from invocations.cli.debug import exchange, masked

ACS3 = (
    "ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId,"
    "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
    "Signature=8c1c4d4c6a9b2f3e1d0a7b6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f"
)


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("Authorization", "FC LTAI5tTestAccessKeyId:K9fTj+0YsCm5sM2pD3qIrA==", "FC LTAI****eyId:****"),
        (
            "authorization",
            ACS3,
            "ACS3-HMAC-SHA256 Credential=LTAI****eyId,SignedHeaders=host;x-acs-action;"
            "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=****",
        ),
        ("Authorization", "Bearer something-else", "****"),
        ("x-acs-security-token", "CAIS-sts-token", "****"),
        ("X-Fc-Security-Token", "CAIS-sts-token", "****"),
        ("x-acs-accesskey-id", "STS.NUgYrLnoC37mZZCNnAbez2", "STS.****bez2"),
        ("x-acs-date", "2023-08-17T14:08:11Z", "2023-08-17T14:08:11Z"),
    ],
)
def test_it_masks_signatures_tokens_and_key_ids(name, value, shown):
    assert masked(name, value) == shown


def test_an_exchange_never_shows_the_acs3_signature_or_token():
    request = requests.Request(
        "POST",
        "http://127.0.0.1:9/2023-03-30/functions/hello/invocations",
        headers={"authorization": ACS3, "x-acs-security-token": "CAIS-sts-token"},
        data=b"event",
    ).prepare()
    response = requests.Response()
    response.request, response.status_code, response.reason = request, 200, "OK"
    response._content = b"ok"

    text = exchange(response)

    assert "8c1c4d4c6a9b" not in text and "CAIS-sts-token" not in text
    assert "Signature=****" in text and "x-acs-security-token: ****" in text
