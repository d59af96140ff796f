"""Which hosts a credential profile's endpoint override may point at.

An override sends the profile's signed requests (and so its key id and signatures) to another
host; only hosts on the operator's allow-list (settings.FC_ENDPOINT_ALLOWED_HOSTS) are accepted.
"""

from fnmatch import fnmatch
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def validate_endpoint(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "Give a full http(s) URL, e.g. https://1234567890123456.cn-hangzhou.fc.aliyuncs.com."
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError("Give the endpoint only (scheme, host and port), without a path.")
    host = parts.hostname.lower()
    patterns = settings.FC_ENDPOINT_ALLOWED_HOSTS
    if not any(fnmatch(host, pattern.lower()) for pattern in patterns):
        raise ValidationError(
            f"{host} is not an allowed FC endpoint host (allowed: {', '.join(patterns)}; "
            "set FC_ENDPOINT_ALLOWED_HOSTS to change)."
        )
