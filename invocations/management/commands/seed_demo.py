import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from invocations.models import Membership, Role


class Command(BaseCommand):
    help = "Create the demo admin (login printed once) and demo data pointing at fclocal."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser("admin", "admin@example.com", password)
            Membership.objects.create(user=user, role=Role.ADMIN)
            self.stdout.write(self.style.SUCCESS(f"demo admin created: username admin, password {password}"))
            self.stdout.write("(shown once; change it under /admin/ or run `manage.py changepassword admin`)")
        else:
            self.stdout.write("demo admin exists (username admin)")
