"""CryptoJS passphrase-mode AES, as Serverless Devs uses it for every value of access.yaml.

The format is OpenSSL's: base64 of `Salted__` + 8-byte salt + AES-256-CBC ciphertext (PKCS#7),
key and IV derived from passphrase and salt with EVP_BytesToKey (one MD5 round). See fc-api.md §10.6.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# The passphrase hard-coded in Serverless Devs: the encryption only hides values from a casual look.
SERVERLESS_DEVS_PASSPHRASE = "SecretKey123"  # noqa: S105 - a public constant, not a secret of ours

_MAGIC = b"Salted__"
# base64 of the magic: how every value `s config add` encrypted begins.
ENCRYPTED_PREFIX = "U2FsdGVkX1"


def evp_bytes_to_key(
    passphrase: bytes, salt: bytes, key_len: int = 32, iv_len: int = 16
) -> tuple[bytes, bytes]:
    derived = b""
    block = b""
    while len(derived) < key_len + iv_len:
        block = hashlib.md5(block + passphrase + salt, usedforsecurity=False).digest()
        derived += block
    return derived[:key_len], derived[key_len : key_len + iv_len]


def decrypt(value: str, passphrase: str = SERVERLESS_DEVS_PASSPHRASE) -> str | None:
    """The plaintext of a CryptoJS-encrypted value, or None when `value` is not one."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_MAGIC) or len(raw) < 32 or (len(raw) - 16) % 16:
        return None
    key, iv = evp_bytes_to_key(passphrase.encode(), raw[8:16])
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(raw[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
        return plain.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def reveal(value) -> str:
    """What Serverless Devs reads for a stored value: decrypted when it decrypts to something,
    else the raw value (plaintext files work too); whitespace-trimmed."""
    text = "" if value is None else str(value)
    plain = decrypt(text) if text else None
    return (plain if plain else text).strip()


class UnreadableValue(ValueError):
    """A value of access.yaml that cannot be taken as it stands; the message says why."""


def reveal_strict(value) -> str:
    """`reveal`, refusing what it would guess at: a value that is not text (a list, a mapping,
    a boolean), or one encrypted the CryptoJS way that does not decrypt with Serverless Devs'
    passphrase (kept as is, the ciphertext would become the secret). A whole number is its
    digits (a hand-written `AccountID: 1234567890123456`); an absent value is empty."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise UnreadableValue(f"expected text, found {_kind(value)}")
    text = str(value).strip()
    if text.startswith(ENCRYPTED_PREFIX):
        plain = decrypt(text)
        if plain is None:
            raise UnreadableValue(
                "encrypted the way `s config add` writes values, but it does not decrypt with "
                "Serverless Devs' passphrase; re-add the alias with `s config add`"
            )
        return plain.strip()
    return text


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"
