"""CryptoJS passphrase AES as Serverless Devs stores access.yaml values (fc-api.md §10.6)."""

import base64

import pytest

from invocations.serverless_devs.cryptojs import decrypt, reveal
from tests.cliapi.cryptojs_writer import cryptojs_encrypt

VECTORS = [
    ("U2FsdGVkX18pxBhZMVdeQ9Z0loi5TljU9x3rkzR1nd2mq4925DoaAEIqV3DdzI/5", "LTAI5tTestAccessKeyId"),
    ("U2FsdGVkX18/qltGIgwiSWgsNu/PNBYSVfJvYxCCUlKWeI4uHZZQ/tCOHKbLT1S4", "1234567890123456"),
]


@pytest.mark.parametrize(("stored", "plain"), VECTORS)
def test_it_decrypts_the_reference_vectors(stored, plain):
    assert decrypt(stored) == plain


def test_it_round_trips_what_s_config_add_writes():
    assert decrypt(cryptojs_encrypt("päss wörd/+=")) == "päss wörd/+="


@pytest.mark.parametrize(
    "value",
    [
        "LTAI5tPlainKeyId",  # plain text: not base64
        "1234567890123456",  # valid base64, not Salted__
        base64.b64encode(b"Salted__12345678" + b"x" * 15).decode(),  # not whole AES blocks
        base64.b64encode(b"Salted__12345678").decode(),  # no ciphertext at all
        "",
    ],
)
def test_it_returns_none_for_values_that_are_not_cryptojs(value):
    assert decrypt(value) is None


def test_it_returns_none_when_the_passphrase_is_wrong():
    assert decrypt(cryptojs_encrypt("secret", passphrase="another")) is None


def test_reveal_falls_back_to_the_raw_value_and_trims_it_like_s_does():
    assert reveal("  plain-value \n") == "plain-value"
    assert reveal(cryptojs_encrypt(" padded ")) == "padded"
    assert reveal(1234567890123456) == "1234567890123456"
    assert reveal(None) == ""
