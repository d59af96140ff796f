"""Encryption at rest for credential secrets: Fernet, several keys, the first one encrypts.

Keys come from settings.FCCONSOLE_ENCRYPTION_KEYS. Outside production, with no key set, a key
is derived from SECRET_KEY so `runserver` works; production refuses to start without keys.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored secret cannot be decrypted with any configured key (the text names no secret)."""


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.FCCONSOLE_ENCRYPTION_KEYS)
    if keys:
        return keys
    derived = hashlib.sha256(f"fcconsole-dev:{settings.SECRET_KEY}".encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(_keys())


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("a stored credential cannot be decrypted with the configured keys") from None


def rotate(token: str) -> str:
    """Re-encrypt with the first (newest) key."""
    if not token:
        return ""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("a stored credential cannot be decrypted with the configured keys") from None


def generate_key() -> str:
    return Fernet.generate_key().decode()
