from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from invocations.management.users import resolve_user
from invocations.serverless_devs.access import default_path, import_aliases, read_aliases
from invocations.serverless_devs.files import SdevsFileError


class Command(BaseCommand):
    help = (
        "Create or update credential profiles from a Serverless Devs access file (default "
        "~/.s/access.yaml, or $serverless_devs_config_home/access.yaml). Values may be encrypted the "
        "way `s config add` writes them or plain. Prints one line per alias: created, updated, "
        "unchanged, skipped (not Alibaba Cloud) or rejected with the reason. Secrets are never printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="access.yaml to read")
        parser.add_argument("--as-user", help="console user recorded as the profiles' creator")

    def handle(self, *args, path=None, as_user=None, **options):
        source = Path(path).expanduser() if path else default_path()
        created_by = resolve_user(as_user) if as_user else None
        try:
            aliases = read_aliases(source)
        except SdevsFileError as exc:
            raise CommandError(str(exc), returncode=64) from None
        if not aliases:
            self.stdout.write(f"{source}: no aliases")
            return
        outcomes = import_aliases(aliases, created_by=created_by)
        for outcome in outcomes:
            # An alias with a newline or control character is shown quoted, on its one line.
            alias = outcome.alias if outcome.alias.isprintable() else repr(outcome.alias)
            line = f"{alias}: {outcome.status}" + (f" ({outcome.detail})" if outcome.detail else "")
            style = {"rejected": self.style.ERROR, "skipped": self.style.WARNING}.get(outcome.status)
            self.stdout.write(style(line) if style else line)
        if any(o.status == "rejected" for o in outcomes):
            raise CommandError("some aliases were rejected", returncode=1)
