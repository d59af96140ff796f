"""Which credential profile `manage.py invoke` uses, the way `s` resolves `-a`.

The env variables `AccountID`, `AccessKeyID`, `AccessKeySecret` (+ `SecurityToken`), when all
three are set, win over `-a` as they do in Serverless Devs. Since every invocation row names a
profile, they become an *ad-hoc profile* `env-<account>-<hash of key id>`: the secret encrypted at
rest like any other (never printed, never stored in clear), usable only by the users who ran the
CLI with it, and updated in place when the key or token changes (STS tokens do).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from invocations.cli import UsageError
from invocations.models import CredentialProfile

ENV_KEYS = ("AccountID", "AccessKeyID", "AccessKeySecret")
ADHOC_PREFIX = "env-"


def from_environment(environ: Mapping[str, str]) -> dict | None:
    """The credential the env variables hold, or None unless all three are set."""
    if not all(environ.get(key) for key in ENV_KEYS):
        return None
    endpoint = ""
    # How `s` aims the fc component at another endpoint (fc-api.md §10.6), e.g. fclocal.
    if environ.get("s_default_enable_fc_endpoint", "").lower() == "true":
        endpoint = environ.get("s_default_fc_endpoint", "")
    return {
        "account_id": environ["AccountID"].strip(),
        "access_key_id": environ["AccessKeyID"].strip(),
        "secret": environ["AccessKeySecret"].strip(),
        "token": environ.get("SecurityToken", "").strip(),
        "endpoint": endpoint.strip(),
    }


def adhoc_name(account_id: str, access_key_id: str) -> str:
    return f"{ADHOC_PREFIX}{account_id[:32]}-{hashlib.sha256(access_key_id.encode()).hexdigest()[:8]}"


def named_profile(alias: str) -> CredentialProfile:
    profile = CredentialProfile.objects.filter(name=alias).first()
    if profile is None:
        raise UsageError(f"The access {alias} is not found.")
    return profile


@transaction.atomic
def adhoc_profile(credential: dict, *, user, region: str) -> CredentialProfile:
    """Create or refresh the ad-hoc profile for an env credential, granted to `user`."""
    name = adhoc_name(credential["account_id"], credential["access_key_id"])
    profile = CredentialProfile.objects.select_for_update().filter(name=name).first()
    if profile is None:
        profile = CredentialProfile(
            name=name,
            description="From the AccountID/AccessKeyID/AccessKeySecret env variables of `manage.py invoke`",
            default_region=region,
            created_by=user,
        )
    changed = (
        profile.pk is None
        or profile.account_id != credential["account_id"]
        or profile.access_key_id != credential["access_key_id"]
        or profile.endpoint != credential["endpoint"]
        or profile.access_key_secret() != credential["secret"]
        or (profile.security_token() or "") != credential["token"]
    )
    if changed:
        profile.account_id = credential["account_id"]
        profile.access_key_id = credential["access_key_id"]
        profile.endpoint = credential["endpoint"]
        profile.security_token_encrypted = ""
        profile.set_secret(credential["secret"], credential["token"] or None)
        try:
            profile.full_clean()
        except ValidationError as exc:
            problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise UsageError(f"The credential in the environment cannot be used: {problems}") from None
        profile.save()
    profile.allowed_users.add(user)
    return profile
