"""Credential profiles: created, edited, secret replaced, encryption rotated, access changed, deleted.

Secrets are compared, never recorded: a save whose decrypted secret differs is `secret_replaced`,
one whose ciphertext changed but plaintext did not is `rotated` (re-encryption with a new key).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from audit.trail import record
from invocations import crypto
from invocations.models import CredentialProfile

FIELDS = (
    "name",
    "description",
    "account_id",
    "default_region",
    "endpoint",
    "endpoint_fc3",
    "protected",
    "all_invokers",
)


def summary(profile) -> dict:
    """What an entry may say about a profile: no secret, and the key id masked like on every page."""
    data = {field: getattr(profile, field) for field in FIELDS}
    data["access_key_id"] = profile.masked_access_key_id
    data["kind"] = "sts" if profile.is_sts else "access_key"
    return data


def _plaintext(ciphertext: str) -> str | None:
    try:
        return crypto.decrypt(ciphertext)
    except crypto.DecryptionError:
        return None  # unreadable before: whatever is there now replaced it


@receiver(pre_save, sender=CredentialProfile, dispatch_uid="audit.profile_pre_save")
def remember_profile(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._audit_old = CredentialProfile.objects.filter(pk=instance.pk).first()


@receiver(post_save, sender=CredentialProfile, dispatch_uid="audit.profile_post_save")
def profile_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record("profile.created", obj=instance, after=summary(instance))
        return
    old = getattr(instance, "_audit_old", None)
    instance._audit_old = None
    if old is None:
        return
    old_summary, new_summary = summary(old), summary(instance)
    before = {k: v for k, v in old_summary.items() if new_summary[k] != v}
    after = {k: new_summary[k] for k in before}
    ciphertext_changed = (old.access_key_secret_encrypted, old.security_token_encrypted) != (
        instance.access_key_secret_encrypted,
        instance.security_token_encrypted,
    )
    secret_changed = old.access_key_id != instance.access_key_id or (
        ciphertext_changed
        and (
            _plaintext(old.access_key_secret_encrypted) != _plaintext(instance.access_key_secret_encrypted)
            or _plaintext(old.security_token_encrypted) != _plaintext(instance.security_token_encrypted)
        )
    )
    if secret_changed:
        action = "profile.secret_replaced"
    elif before:
        action = "profile.edited"
    elif ciphertext_changed:
        action = "profile.rotated"
    else:
        return
    record(action, obj=instance, before=before or None, after=after or None)


@receiver(post_delete, sender=CredentialProfile, dispatch_uid="audit.profile_deleted")
def profile_deleted(sender, instance, **kwargs):
    record("profile.deleted", obj=instance, before=summary(instance))


@receiver(m2m_changed, sender=CredentialProfile.allowed_users.through, dispatch_uid="audit.profile_access")
def profile_access_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Who may use a profile. One entry per add or remove (a form's `set()` may make one of each)."""
    if reverse or not isinstance(instance, CredentialProfile):
        return
    from django.contrib.auth import get_user_model

    if action == "pre_clear":
        instance._audit_cleared = sorted(instance.allowed_users.values_list("username", flat=True))
        return
    if action == "post_clear":
        names = getattr(instance, "_audit_cleared", [])
    elif action in ("post_add", "post_remove") and pk_set:
        names = sorted(get_user_model().objects.filter(pk__in=pk_set).values_list("username", flat=True))
    else:
        return
    if names:
        key = "added" if action == "post_add" else "removed"
        record("profile.access_changed", obj=instance, after={key: names})
