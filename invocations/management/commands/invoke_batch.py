"""`manage.py invoke_batch FILE|-`: the API's batch submit from a JSON Lines file.

Each non-blank line is one item of `POST /api/v1/invocations/batch` (the body of a single
`POST /api/v1/invocations/`: profile, region, service for FC 2.0 or none for FC 3.0, function, event, ...).
Up to 1,000 lines, written in one transaction and queued together (source `cli`), or none:
a refused line refuses the file, named by its line number. Unlike `manage.py invoke`, nothing runs
here: the worker runs the rows, which the history shows like any other. Prints one invocation id
per line, in the order of the file.
"""

import sys

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rest_framework.exceptions import ValidationError as RequestInvalid

from invocations import jsontext, rules
from invocations.api.serializers.invocations import BatchItems, InvocationRequestSerializer
from invocations.cli.rendering import EXIT_USAGE
from invocations.management.users import resolve_user, sole_user_who_can
from invocations.models import Invocation
from invocations.models.invocations import Source


class Command(BaseCommand):
    help = (
        "Submit up to 1,000 invocations at once from JSON Lines (one API request body per line; FILE or - "
        "for stdin), recorded in one transaction (source cli) and queued for the worker. Prints one "
        "invocation id per line. A refused line refuses them all and nothing is written: exit 64, the "
        "line named on stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="JSON Lines file, or - for stdin")
        parser.add_argument(
            "--as-user",
            default="",
            help="console user the history records; needed when more than one user may use the profiles",
        )

    def handle(self, *args, **options):
        lines, items = self.read(options["file"])
        batch = BatchItems(child=InvocationRequestSerializer(), context={})
        try:
            validated = batch.run_validation(items)
        except RequestInvalid as exc:
            raise CommandError(_refusal(exc.detail, lines), returncode=EXIT_USAGE) from None
        profiles = {item["profile"].pk: item["profile"] for item in validated}.values()
        user = (
            resolve_user(options["as_user"])
            if options["as_user"]
            else sole_user_who_can(lambda u: all(p.is_usable_by(u) for p in profiles))
        )
        try:
            rows = Invocation.objects.submit_many(user=user, items=validated, source=Source.CLI)
        except rules.ItemsRefused as refused:
            raise CommandError(
                _refusal({i: exc.message_dict for i, exc in refused.items.items()}, lines),
                returncode=EXIT_USAGE,
            ) from None
        except (PermissionDenied, ValidationError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(_with_lines(message, lines), returncode=EXIT_USAGE) from None
        self.stdout.write("\n".join(str(row.uuid) for row in rows))

    def read(self, path: str) -> tuple[list[int], list]:
        """(line number of each item, the items) of the non-blank lines."""
        try:
            text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=EXIT_USAGE) from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text.", returncode=EXIT_USAGE) from None
        lines, items = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(jsontext.loads(line))
            except ValueError as exc:
                raise CommandError(f"line {number}: not JSON ({exc}).", returncode=EXIT_USAGE) from None
            lines.append(number)
        return lines, items


def _refusal(detail, lines: list[int]) -> str:
    """`line N: field: message` for each refused item; the batch's own problems as they are."""
    if not isinstance(detail, dict):
        return " ".join(str(m) for m in detail)
    out = []
    for index, fields in detail.items():
        where = f"line {lines[int(index)]}"
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        for field, messages in fields.items():
            text = " ".join(str(m) for m in messages)
            out.append(
                f"{where}: {text}"
                if field in ("non_field_errors", "__all__")
                else f"{where}: {field}: {text}"
            )
    return "\n".join(out)


def _with_lines(message: str, lines: list[int]) -> str:
    """A refusal naming `Item N` (from 0) names the file's line instead."""
    if message.startswith("Item "):
        index, _, rest = message[len("Item ") :].partition(": ")
        if index.isdigit() and int(index) < len(lines):
            return f"line {lines[int(index)]}: {rest}"
    return message
