from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify


class Command(BaseCommand):
    help = "Walk the audit trail's hash chain and name the first broken link (exit status 1 if any)."

    def handle(self, *args, **options):
        verdict = verify()
        if not verdict.intact:
            raise CommandError(
                f"Audit chain broken at entry #{verdict.broken_seq} (id {verdict.broken_id}): {verdict.reason}. "
                f"{verdict.checked} entries before it are intact."
            )
        self.stdout.write(f"Audit chain intact: {verdict.checked} entries, head {verdict.head}")
