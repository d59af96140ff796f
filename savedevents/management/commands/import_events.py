"""`manage.py import_events PATH --owner USERNAME [--team] [--text] [--async]`.

PATH is an event file, a zip, or a folder (e.g. the event-template/ that `s cli fc-event` fills).
Prints one line per file: created, updated or rejected with the reason. Exits with status 1 when
any file was rejected, after importing the others.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from savedevents.access import require_creator
from savedevents.models import Visibility
from savedevents.transfer import Importer


class Command(BaseCommand):
    help = "Import event files (a file, a zip or a folder) as saved events of one user."

    def add_arguments(self, parser):
        parser.add_argument("path", help="an event file, a .zip, or a folder")
        parser.add_argument("--owner", required=True, help="username that will own the events")
        parser.add_argument(
            "--team",
            action="store_true",
            help="share new events with the team (existing ones keep their visibility)",
        )
        parser.add_argument("--text", action="store_true", help="keep files that are not JSON as text events")
        parser.add_argument(
            "--async", dest="async_", action="store_true", help="meant for async invocation (128 KB limit)"
        )

    def handle(self, *args, **options):
        try:
            owner = get_user_model().objects.get_by_natural_key(options["owner"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {options['owner']!r}.") from None
        try:
            require_creator(owner)
        except PermissionDenied as exc:
            raise CommandError(f"{owner.get_username()} cannot own events: {exc}") from None
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        importer = Importer(
            owner,
            visibility=Visibility.TEAM if options["team"] else Visibility.PRIVATE,
            require_json=not options["text"],
            invocation_type="async" if options["async_"] else "sync",
        )
        if path.is_dir():
            importer.add_folder(path)
        elif path.suffix.lower() == ".zip":
            with path.open("rb") as fileobj:
                importer.add_zip(str(path), fileobj)
        else:
            importer.add_file(str(path), path.read_bytes())
        for outcome in importer.outcomes:
            line = f"{outcome.status:8} {outcome.path}"
            if outcome.reason:
                line += f": {outcome.reason}"
            self.stdout.write(line)
        rejected = sum(o.status == "rejected" for o in importer.outcomes)
        self.stdout.write(f"{len(importer.outcomes) - rejected} imported, {rejected} rejected.")
        if rejected:
            raise CommandError(f"{rejected} file(s) rejected.", returncode=1)
