from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from invocations.management.users import resolve_user
from invocations.models import PinnedTarget
from invocations.serverless_devs.files import SdevsFileError
from invocations.serverless_devs.project import NotATarget, read_project


class Command(BaseCommand):
    help = (
        "Register the functions of a Serverless Devs project as pinned targets of the invoke form: "
        "2.x files (services using the fc component: region, service, function, qualifier; FC 2.0) and "
        "3.x files (edition 3.0.0, resources using the fc3 component: region, functionName, and a target "
        "per version and alias listed; FC 3.0), plus the project's `access` alias when a profile of that "
        "name exists. Prints one line per target or skipped entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the project's s.yaml")
        parser.add_argument("--as-user", help="console user recorded as the targets' creator")

    def handle(self, *args, path, as_user=None, **options):
        created_by = resolve_user(as_user) if as_user else None
        source = Path(path).expanduser()
        try:
            project = read_project(source)
        except SdevsFileError as exc:
            raise CommandError(str(exc), returncode=64) from None
        rejected = 0
        with transaction.atomic():
            for entry in project.entries:
                if isinstance(entry, NotATarget):
                    rejected += entry.status == "rejected"
                    style = self.style.ERROR if entry.status == "rejected" else self.style.WARNING
                    self.stdout.write(style(f"{entry.label}: {entry.status} ({entry.reason})"))
                    continue
                target, status = PinnedTarget.objects.pin(
                    project=project.name,
                    label=entry.label,
                    region=entry.region,
                    service=entry.service,
                    function=entry.function,
                    qualifier=entry.qualifier,
                    access=entry.access,
                    source_file=str(source.resolve()),
                    created_by=created_by,
                )
                self.stdout.write(f"{entry.label}: {status} ({target})")
        if rejected:
            raise CommandError(
                f"{rejected} entr{'y was' if rejected == 1 else 'ies were'} rejected", returncode=1
            )
