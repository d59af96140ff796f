"""Import Serverless Devs credential aliases (`~/.s/access.yaml`) as console credential profiles.

Each alias is reported as created, updated, unchanged, skipped (not an Alibaba Cloud key) or
rejected (with the reason, naming the field); one bad alias never stops the others, and a
rejected alias writes nothing. A value that is not text, or that is encrypted but does not
decrypt, is refused rather than stored as it stands. Secrets go straight into the profile's
encrypted fields and never into a report line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from invocations.models import CredentialProfile
from invocations.serverless_devs.cryptojs import UnreadableValue, reveal_strict
from invocations.serverless_devs.files import read_mapping

ALIBABA_CLOUD = "Alibaba Cloud"
# The fields a profile is made of; each must be text that reads (or decrypts) as it stands.
USED_FIELDS = ("__provider", "AccountID", "AccessKeyID", "AccessKeySecret", "SecurityToken", "endpoint")


@dataclass(frozen=True)
class AliasResult:
    """What importing one access.yaml alias did."""

    alias: str
    status: str  # created | updated | unchanged | skipped | rejected
    detail: str = ""


def default_path() -> Path:
    """Where `s` keeps aliases: {root}/access.yaml, else access.yml; root is `~/.s` unless the env
    variable `serverless_devs_config_home` names another directory."""
    root = Path(os.environ.get("serverless_devs_config_home") or Path.home() / ".s").expanduser()
    yaml_path = root / "access.yaml"
    yml_path = root / "access.yml"
    return yml_path if not yaml_path.exists() and yml_path.exists() else yaml_path


def read_aliases(path: Path) -> dict:
    return read_mapping(path, "a mapping of alias names to keys")


def import_aliases(aliases: dict, *, created_by=None) -> list[AliasResult]:
    return [_import_one(str(alias), fields, created_by) for alias, fields in aliases.items()]


def _import_one(alias: str, raw_fields, created_by) -> AliasResult:
    if not isinstance(raw_fields, dict):
        return AliasResult(alias, "rejected", "expected a mapping of field names to values")
    fields, problems = {}, []
    for key, value in raw_fields.items():
        key = str(key)
        if key not in USED_FIELDS:
            continue  # `__default` and the like: not ours to judge
        try:
            fields[key] = reveal_strict(value)
        except UnreadableValue as exc:
            problems.append(f"{key}: {exc}")
    provider = fields.get("__provider", "")
    if provider and provider != ALIBABA_CLOUD:
        return AliasResult(alias, "skipped", f"provider is {provider!r}, not {ALIBABA_CLOUD}")
    if not provider and "AccessKeySecret" not in raw_fields:
        return AliasResult(alias, "skipped", "no AccessKeySecret: not an Alibaba Cloud key")
    if problems:
        return AliasResult(alias, "rejected", "; ".join(problems))
    missing = [name for name in ("AccountID", "AccessKeyID", "AccessKeySecret") if not fields.get(name)]
    if missing:
        return AliasResult(alias, "rejected", f"{', '.join(missing)} missing or empty")

    with transaction.atomic():
        profile = CredentialProfile.objects.select_for_update().filter(name=alias).first()
        creating = profile is None
        if creating:
            profile = CredentialProfile(
                name=alias, created_by=created_by, description="Imported from Serverless Devs access.yaml"
            )
        elif _same_keys(profile, fields):
            return AliasResult(alias, "unchanged", profile.masked_access_key_id)
        profile.account_id = fields["AccountID"]
        profile.access_key_id = fields["AccessKeyID"]
        # A file without SecurityToken means a long-lived key: drop a token kept from before.
        profile.security_token_encrypted = ""
        profile.set_secret(fields["AccessKeySecret"], fields.get("SecurityToken") or None)
        if fields.get("endpoint"):
            profile.endpoint = fields["endpoint"]
        try:
            profile.full_clean()
        except ValidationError as exc:
            return AliasResult(alias, "rejected", _describe(exc))
        profile.save()
    return AliasResult(alias, "created" if creating else "updated", profile.masked_access_key_id)


def _same_keys(profile: CredentialProfile, fields: dict) -> bool:
    return (
        profile.account_id == fields["AccountID"]
        and profile.access_key_id == fields["AccessKeyID"]
        and profile.access_key_secret() == fields["AccessKeySecret"]
        and (profile.security_token() or "") == fields.get("SecurityToken", "")
        and (not fields.get("endpoint") or profile.endpoint == fields["endpoint"])
    )


def _describe(exc: ValidationError) -> str:
    """Field errors as one line; the secret fields never carry the value in their messages."""
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
