import uuid

from django.conf import settings
from django.db import models

from invocations import clients, crypto, rules
from invocations.fc.client import FCClient
from invocations.fc.exchange import mask_access_key_id
from invocations.models.roles import Role, role_of


class CredentialProfileQuerySet(models.QuerySet):
    def usable_by(self, user):
        """Profiles a user may invoke with: admins all; invokers those granted to them."""
        role = role_of(user)
        if role == Role.ADMIN:
            return self
        if role == Role.INVOKER:
            return self.filter(models.Q(all_invokers=True) | models.Q(allowed_users=user)).distinct()
        return self.none()


class CredentialProfile(models.Model):
    """An AccessKey pair or STS token for one Alibaba Cloud account (the `-a` alias of `s`).

    Secrets are encrypted at rest and never read back into a page, an API response or a log:
    only `masked_access_key_id` leaves the server.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=64, unique=True, validators=[rules.validate_profile_name])
    description = models.CharField(max_length=200, blank=True)
    account_id = models.CharField(max_length=32, validators=[rules.validate_account_id])
    default_region = models.CharField(
        max_length=32, default="cn-hangzhou", validators=[rules.validate_region]
    )
    access_key_id = models.CharField(max_length=128, validators=[rules.validate_access_key_id])
    access_key_secret_encrypted = models.TextField(editable=False)
    security_token_encrypted = models.TextField(blank=True, editable=False)
    endpoint = models.URLField(
        blank=True,
        validators=[rules.validate_endpoint],
        help_text="Override, e.g. http://127.0.0.1:9000 for fclocal (hosts in FC_ENDPOINT_ALLOWED_HOSTS)",
    )
    endpoint_fc3 = models.URLField(
        "FC 3.0 endpoint",
        blank=True,
        validators=[rules.validate_endpoint],
        help_text="Override for FC 3.0 functions (hosts in FC_ENDPOINT_ALLOWED_HOSTS); "
        "empty: the same as the FC 2.0 override, else FC's public endpoint",
    )
    protected = models.BooleanField(default=False, help_text="Ask to type the function name before invoking")
    all_invokers = models.BooleanField(default=False, help_text="Every invoker may use this profile")
    allowed_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CredentialProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    # -- secrets: write-only from the outside -------------------------------------------------
    def set_secret(self, access_key_secret: str, security_token: str | None = None) -> None:
        self.access_key_secret_encrypted = crypto.encrypt(access_key_secret)
        if security_token is not None:
            self.security_token_encrypted = crypto.encrypt(security_token)

    def access_key_secret(self) -> str:
        return crypto.decrypt(self.access_key_secret_encrypted)

    def security_token(self) -> str | None:
        return crypto.decrypt(self.security_token_encrypted) or None

    @property
    def is_sts(self) -> bool:
        return bool(self.security_token_encrypted)

    @property
    def masked_access_key_id(self) -> str:
        return mask_access_key_id(self.access_key_id)

    def is_usable_by(self, user) -> bool:
        """Whether `user` may invoke with this profile: `usable_by`'s rule, for one profile.

        Asked on every submit, so it answers from the row where it can (an admin; a profile open
        to every invoker) and reads only a grant to named users, once per loaded profile and user
        (a page asks it for re-run and for stop). tests/core/test_profiles.py checks that the two
        forms of the rule agree.
        """
        role = role_of(user)
        if role == Role.ADMIN:
            return True
        if role != Role.INVOKER:
            return False
        if self.all_invokers:
            return True
        granted = self.__dict__.setdefault("_granted", {})
        if user.pk not in granted:
            granted[user.pk] = self.allowed_users.filter(pk=user.pk).exists()
        return granted[user.pk]

    # -- talking to FC -------------------------------------------------------------------------
    def region_or_default(self, region: str | None) -> str:
        """The region a request names, else the profile's default: the one place that default applies."""
        return region or self.default_region

    def endpoint_for(self, region: str | None = None, *, fc3: bool = False) -> str:
        """Where this profile's calls go: the override when set, else FC's public endpoint for the
        account and region. FC 3.0 calls (`fc3`) take `endpoint_fc3` first, then the same rule, so
        one profile reaches an account's 2.0 services and its 3.0 functions (fc3-api.md 1)."""
        override = (self.endpoint_fc3 if fc3 else "") or self.endpoint
        if override:
            return override.rstrip("/")
        return FCClient.endpoint_for(self.account_id, self.region_or_default(region))

    def client(self, region: str | None = None) -> FCClient:
        """A shared, thread-safe FCClient for this profile and region (see invocations.clients)."""
        return clients.for_profile(self, self.region_or_default(region))

    def rotate_encryption(self) -> None:
        self.access_key_secret_encrypted = crypto.rotate(self.access_key_secret_encrypted)
        self.security_token_encrypted = crypto.rotate(self.security_token_encrypted)
