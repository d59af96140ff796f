"""Users and roles: created, edited, (de)activated, password changed; role assigned/changed/removed.

Watching the models (not the views) covers the team page, Django's admin and `createsuperuser`.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from audit.trail import record
from invocations.models import Membership

User = get_user_model()
TRACKED = ("username", "email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")


def _summary(user) -> dict:
    return {field: getattr(user, field) for field in TRACKED}


def _only_last_login(update_fields) -> bool:
    return update_fields is not None and set(update_fields) <= {"last_login"}


@receiver(pre_save, sender=User, dispatch_uid="audit.user_pre_save")
def remember_user(sender, instance, raw=False, update_fields=None, **kwargs):
    if instance.pk and not raw and not _only_last_login(update_fields):
        old = User.objects.filter(pk=instance.pk).first()
        instance._audit_old = (_summary(old), old.password) if old else None


@receiver(post_save, sender=User, dispatch_uid="audit.user_post_save")
def user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if created:
        record("user.created", obj=instance, after=_summary(instance))
        return
    if _only_last_login(update_fields):
        return
    old = getattr(instance, "_audit_old", None)
    instance._audit_old = None
    if old is None:
        return
    old_summary, old_password = old
    new_summary = _summary(instance)
    before = {k: v for k, v in old_summary.items() if new_summary[k] != v}
    after = {k: new_summary[k] for k in before}
    password_changed = old_password != instance.password
    if not before and not password_changed:
        return
    if "is_active" in before:
        action = "user.reactivated" if instance.is_active else "user.deactivated"
    elif not before:
        action = "user.password_changed"
    else:
        action = "user.edited"
    if password_changed and before:
        # The key is redacted by record(); its presence says the password changed too.
        before["password"], after["password"] = "old", "new"
    record(action, obj=instance, before=before or None, after=after or None)


@receiver(post_delete, sender=User, dispatch_uid="audit.user_deleted")
def user_deleted(sender, instance, **kwargs):
    record("user.deleted", obj=instance, before=_summary(instance))


@receiver(pre_save, sender=Membership, dispatch_uid="audit.membership_pre_save")
def remember_role(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._audit_old_role = (
            Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
        )


@receiver(post_save, sender=Membership, dispatch_uid="audit.membership_post_save")
def role_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record("role.assigned", obj=instance.user, after={"role": instance.role})
        return
    old_role = getattr(instance, "_audit_old_role", None)
    if old_role is not None and old_role != instance.role:
        record("role.changed", obj=instance.user, before={"role": old_role}, after={"role": instance.role})


@receiver(post_delete, sender=Membership, dispatch_uid="audit.membership_deleted")
def role_removed(sender, instance, **kwargs):
    record("role.removed", obj=instance.user, before={"role": instance.role})
