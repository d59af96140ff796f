"""What the team app keeps of its own: the latest set-password link issued to each user."""

import secrets

from django.conf import settings
from django.db import models


def _new_nonce() -> str:
    return secrets.token_hex(16)


class PasswordLink(models.Model):
    """The latest set-password link of a user, by the nonce its token is made with.

    Issuing a link draws a new nonce, so every earlier link stops working: only the link shown
    last is good (and only until it is used or PASSWORD_RESET_TIMEOUT passes).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32, default=_new_nonce)
    issued_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"set-password link of {self.user}"

    @classmethod
    def renew(cls, user) -> "PasswordLink":
        link, created = cls.objects.get_or_create(user=user)
        if not created:
            link.nonce = _new_nonce()
            link.save(update_fields=["nonce", "issued_at"])
        return link

    @classmethod
    def nonce_of(cls, user) -> str:
        return cls.objects.filter(user=user).values_list("nonce", flat=True).first() or ""
