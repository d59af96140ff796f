"""Writes access.yaml values the way `s config add` does (CryptoJS.AES.encrypt with a passphrase)."""

import base64
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from invocations.serverless_devs.cryptojs import SERVERLESS_DEVS_PASSPHRASE, evp_bytes_to_key


def cryptojs_encrypt(plaintext: str, passphrase: str = SERVERLESS_DEVS_PASSPHRASE) -> str:
    salt = os.urandom(8)
    key, iv = evp_bytes_to_key(passphrase.encode(), salt)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(b"Salted__" + salt + encryptor.update(padded) + encryptor.finalize()).decode()
