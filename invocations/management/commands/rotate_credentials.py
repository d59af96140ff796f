from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from invocations.crypto import DecryptionError
from invocations.models import CredentialProfile


class Command(BaseCommand):
    help = (
        "Re-encrypt every profile's secrets with the first key of FCCONSOLE_ENCRYPTION_KEYS. "
        "Rotation: put the new key first, run this, then remove the old key."
    )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                # Locked so an admin saving a profile meanwhile cannot lose their change.
                profiles = list(CredentialProfile.objects.select_for_update().order_by("pk"))
                for profile in profiles:
                    profile.rotate_encryption()
                    # A save, so the audit trail records `profile.rotated`; updated_at is left out
                    # of it: the secrets' values did not change, cached FC clients stay valid.
                    profile.save(update_fields=["access_key_secret_encrypted", "security_token_encrypted"])
        except DecryptionError as exc:
            raise CommandError(f"{exc}; nothing was changed. Add the old key back and run again.") from None
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {len(profiles)} profile(s) with the first key"))
