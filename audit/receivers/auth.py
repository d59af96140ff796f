"""Sign-in, sign-out, failed sign-in and lockout (django-axes), from Django's auth signals."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.trail import record


@receiver(user_logged_in, dispatch_uid="audit.signed_in")
def signed_in(sender, request, user, **kwargs):
    record("auth.signed_in", actor=user, request=request, obj=user)


@receiver(user_logged_out, dispatch_uid="audit.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.signed_out", actor=user, request=request, obj=user)


@receiver(user_login_failed, dispatch_uid="audit.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Only the name that was tried: Django has already masked the password, and we drop the rest.
    record("auth.sign_in_failed", request=request, after={"username": str(credentials.get("username", ""))})


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    record("auth.locked_out", request=request, after={"username": username or "", "ip_address": ip_address})
