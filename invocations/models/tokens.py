import hashlib
import secrets
import uuid
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from fcconsole import statements
from invocations.models.roles import Membership

TOKEN_PREFIX = "fcc_"  # noqa: S105 - marks our tokens in logs and secret scanners; not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(plaintext: str) -> str:
    # 256 random bits need no slow hash: nothing to brute-force, and lookups stay one indexed query.
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def issue(self, user, name: str) -> tuple["ApiToken", str]:
        """A new token for `user`; the plaintext is returned once and stored only as a hash."""
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.create(
            user=user, name=name, hint=plaintext[: len(TOKEN_PREFIX) + 4], digest=_digest(plaintext)
        )
        return token, plaintext

    def authenticate(self, plaintext: str) -> "ApiToken | None":
        """The active token with this plaintext whose user is still active, or None."""
        if not plaintext.startswith(TOKEN_PREFIX):
            return None
        # One statement built once (fcconsole/statements.py): the token, its user and the user's
        # membership, which every API view asks for its role (roles.role_of). Through the ORM
        # (select_related, get) it was about a tenth of an API call's CPU (bench/RESULTS.md, issue 18).
        sql, token_columns, user_columns, membership_columns = _authenticate_statement(self.model)
        with statements.default_connection().cursor() as cursor:
            cursor.execute(sql, [_digest(plaintext)])
            values = cursor.fetchone()
        if values is None:
            return None
        token = _token_from_row(self.model, token_columns, user_columns, membership_columns, values, self.db)
        if not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            # One write a minute at most, however busy the script using it.
            self.model.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token


@cache
def _authenticate_statement(model):
    """The active token with a digest, its user and the user's membership (or NULLs), in one row."""
    quote = connection.ops.quote_name
    user_model = model._meta.get_field("user").related_model
    parts = [(model, "t"), (user_model, "u"), (Membership, "m")]
    selected = ", ".join(
        f"{alias}.{quote(field.column)}" for each, alias in parts for field in each._meta.concrete_fields
    )
    sql = (
        f"SELECT {selected} FROM {quote(model._meta.db_table)} t "
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = t.{quote(model._meta.get_field('user').column)} "
        f"LEFT JOIN {quote(Membership._meta.db_table)} m ON m.{quote(Membership._meta.get_field('user').column)} = u.{quote(user_model._meta.pk.column)} "
        f"WHERE t.{quote(model._meta.get_field('digest').column)} = %s AND t.{quote(model._meta.get_field('revoked_at').column)} IS NULL"
    )
    return (
        sql,
        *(statements.columns(each._meta.concrete_fields, each._meta.db_table) for each, _ in parts),
    )


def _token_from_row(model, token_columns, user_columns, membership_columns, values, db):
    """The token with its user, and the user's membership or the knowledge that there is none,
    as select_related("user", "user__membership") would leave them."""
    ends = [len(token_columns), len(token_columns) + len(user_columns)]
    token = statements.from_db(model, token_columns, values[: ends[0]], db)
    user = statements.from_db(
        model._meta.get_field("user").related_model, user_columns, values[ends[0] : ends[1]], db
    )
    token.user = user
    membership_values = values[ends[1] :]
    rel = Membership._meta.get_field("user").remote_field
    if membership_values[0] is None:  # no membership row: user.membership raises DoesNotExist
        rel.set_cached_value(user, None)
    else:
        membership = statements.from_db(Membership, membership_columns, membership_values, db)
        Membership._meta.get_field("user").set_cached_value(membership, user)
        rel.set_cached_value(user, membership)
    return token


class ApiToken(models.Model):
    """A personal REST API token (`Authorization: Bearer fcc_...`), acting as its user."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64, help_text="what uses it, e.g. 'CI deploy job'")
    hint = models.CharField(max_length=16, help_text="the first characters, to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
