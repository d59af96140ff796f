from django.core.management.base import BaseCommand

from audit import digests


class Command(BaseCommand):
    help = (
        "Seal the audit entries written since the last seal and append a signed digest of the chain head "
        "to AUDIT_DIGEST_DIR (what the audit.checkpoint beat task does every AUDIT_CHECKPOINT_INTERVAL s)."
    )

    def handle(self, *args, **options):
        written = digests.checkpoint()
        if written.digest is None:
            self.stdout.write(f"Sealed {written.sealed} entries; the head has not moved, no digest written.")
            return
        d = written.digest
        self.stdout.write(
            f"Sealed {written.sealed} entries; digest {d['n']}: {d['count']} entries, head #{d['seq']} "
            f"{d['head_hash']}, written to {digests.path()}"
        )
