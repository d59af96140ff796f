from django.core.management.base import BaseCommand, CommandError

from audit import verification


class Command(BaseCommand):
    help = (
        "Check the audit trail: the sealed chain, unsealed entries, the signed digests and what they do "
        "not cover yet. One verdict per check; exit status 1 on tampering."
    )

    def handle(self, *args, **options):
        report = verification.run()
        width = max(len(check.name) for check in report.checks)
        for check in report.checks:
            style = {
                verification.OK: self.style.SUCCESS,
                verification.WARN: self.style.WARNING,
                verification.FAIL: self.style.ERROR,
            }[check.status]
            self.stdout.write(f"{check.name:<{width}}  {style(check.status)}: {check.text}")
        if not report.intact:
            failed = ", ".join(check.name for check in report.checks if check.status == verification.FAIL)
            raise CommandError(f"Audit trail TAMPERED ({failed}).")
        self.stdout.write(self.style.SUCCESS("Audit trail intact."))
