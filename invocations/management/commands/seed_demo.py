import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from invocations.models import CredentialProfile, Membership, Role

# fclocal's documented demo keys (overridable by the same env variables fclocal reads).
DEMO_ACCOUNT_ID = "1234567890123456"
DEMO_ACCESS_KEY_ID = "LTAIfclocalDemoKey"
DEMO_ACCESS_KEY_SECRET = "fclocal-demo-secret-do-not-use"  # noqa: S105 - public demo value


class Command(BaseCommand):
    help = "Create the demo admin (login printed once) and demo data pointing at fclocal."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            password = secrets.token_urlsafe(12)
            admin = User.objects.create_superuser("admin", "admin@example.com", password)
            Membership.objects.create(user=admin, role=Role.ADMIN)
            self.stdout.write(self.style.SUCCESS(f"demo admin created: username admin, password {password}"))
            self.stdout.write("(shown once; change it under /admin/ or run `manage.py changepassword admin`)")
        else:
            self.stdout.write("demo admin exists (username admin)")
        self.seed_fclocal_profile(admin)

    def seed_fclocal_profile(self, admin):
        profile, created = CredentialProfile.objects.get_or_create(
            name="fclocal",
            defaults={"created_by": admin, "access_key_secret_encrypted": ""},
        )
        profile.description = (
            "The local FC endpoint started by `make run` (demo keys): "
            "FC 2.0 service demo and FC 3.0 functions on one port"
        )
        profile.account_id = os.environ.get("FCLOCAL_ACCOUNT_ID", DEMO_ACCOUNT_ID)
        profile.default_region = "cn-hangzhou"
        profile.endpoint = settings.FCLOCAL_URL
        profile.endpoint_fc3 = ""  # the same fclocal serves the 3.0 demo (examples/fc3/s.yaml)
        profile.access_key_id = os.environ.get("FCLOCAL_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        profile.set_secret(os.environ.get("FCLOCAL_ACCESS_KEY_SECRET", DEMO_ACCESS_KEY_SECRET))
        profile.all_invokers = True
        profile.full_clean()
        profile.save()
        self.stdout.write(
            f"demo profile {'created' if created else 'updated'}: fclocal -> {profile.endpoint}"
        )
