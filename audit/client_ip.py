"""The client address of a request, shared by the audit trail and login throttling (axes).

Behind `TRUSTED_PROXY_COUNT` reverse proxies, the address is the one the outermost trusted proxy
saw (the n-th entry from the right of X-Forwarded-For); with none, REMOTE_ADDR. Counting from the
right means a client cannot pick its own address by sending a forged header.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    address = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
