"""`manage.py invoke`: Serverless Devs `s invoke` for the console.

With `--service-name` it is `s invoke` of Serverless Devs 2.x (component fc, FC 2.0); without, that
of Serverless Devs 3.x (component fc3, FC 3.0): the target says which API, as everywhere.

The invocation is validated and recorded exactly like one from the web form (source `cli`), then
executed in this process by the same runner the Celery worker uses: no broker or worker is
needed, and the command returns when FC has answered. Async invocations are followed
afterwards by the worker's tracker, when one runs.
"""

import os
import sys
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from fcconsole.outages import DATABASE_AWAY
from fcconsole.redaction import error_line
from invocations import browse, jsontext
from invocations.access import require_role
from invocations.cli import DatabaseAway, UsageError, credentials, debug, rendering
from invocations.cli.events import read_event
from invocations.crypto import DecryptionError
from invocations.fc.errors import FCError
from invocations.lifecycle import run
from invocations.management.users import resolve_user, sole_user_who_can
from invocations.models import Invocation, Role
from invocations.models.invocations import Source

# s invoke (fc) computes its client timeout as the function timeout plus this, when the runtime is
# unknown (CLI mode) - fc-api.md §10.2. s invoke (fc3) waits --timeout itself, else the yaml's
# function timeout + 5 (§10.5); no yaml here, so the console's default applies then.
CLI_TIMEOUT_MARGIN = 420


class Command(BaseCommand):
    help = (
        "Invoke a function like `s invoke`, and record it in the console's history (source cli); it "
        "runs in this process, no worker needed. With --service-name: FC 2.0, as s invoke of the fc "
        "component (Serverless Devs 2.x); without: FC 3.0, as s invoke of the fc3 component "
        "(Serverless Devs 3.x), and its layout. Events: -e text, -f file, -s stdin (one of them); "
        "files and stdin are sent whole, newlines kept (s invoke joins their lines without newlines). "
        "Credentials: the profile named by -a, unless the env variables AccountID, AccessKeyID and "
        "AccessKeySecret (+ SecurityToken) are all set: then they win, as in s, and are kept encrypted "
        "as a profile named env-<account>-<hash> usable by you only. Exit status: 0 success, 1 the "
        "function failed, 2 FC refused or did not answer, 64 usage error."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.error = partial(_flag_error, parser)
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="region id, e.g. cn-hangzhou")
        parser.add_argument("--service-name", default="", help="service name (FC 2.0); leave out for FC 3.0")
        parser.add_argument("--function-name", default="", help="function name")
        parser.add_argument("--qualifier", default="", help="version or alias (default LATEST)")
        parser.add_argument(
            "--timeout",
            type=int,
            help=(
                f"FC 2.0: the function's timeout in seconds, we wait that plus {CLI_TIMEOUT_MARGIN} s; "
                "FC 3.0: seconds to wait; like s invoke"
            ),
        )
        parser.add_argument("-e", "--event", default="", help="event text")
        parser.add_argument("-f", "--event-file", default="", help="file whose whole content is the event")
        parser.add_argument(
            "-s", "--event-stdin", action="store_true", help="read the whole event from stdin"
        )
        parser.add_argument(
            "--invocation-type",
            default="",
            help="Sync (default) or Async as in fc3; sync/async as in fc (either spelling works for both)",
        )
        parser.add_argument(
            "--async-task-id",
            "--stateful-async-invocation-id",
            dest="async_invocation_id",
            default="",
            help=(
                "task id of an async invocation (fc3's --async-task-id, fc's "
                "--stateful-async-invocation-id; generated when absent, so it can be tracked)"
            ),
        )
        parser.add_argument(
            "-a",
            "--access",
            default="default",
            help="credential profile name, like the s alias (default: default)",
        )
        parser.add_argument(
            "--confirm-function",
            default=None,
            metavar="NAME",
            help="the function name again: required when the profile is protected, as the console's "
            "invoke form asks for it",
        )
        parser.add_argument(
            "--as-user",
            default="",
            help="console user the history records; needed when more than one user may use the profile",
        )
        parser.add_argument(
            "-o",
            "--output",
            choices=["default", "json"],
            default="default",
            help="default: s invoke's layout; json: the console's JSON of the invocation",
        )
        parser.add_argument("--silent", action="store_true", help="print the response body only")
        parser.add_argument(
            "--debug", action="store_true", help="print each HTTP exchange with FC on stderr (secrets masked)"
        )

    def handle(self, *args, **options):
        try:
            invocation = self.invoke(options)
        except UsageError as exc:
            raise CommandError(str(exc), returncode=rendering.EXIT_USAGE) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "Permission denied.", returncode=rendering.EXIT_USAGE) from None
        except ValidationError as exc:
            flags = FC2_FLAGS if options["service_name"] else FC3_FLAGS
            raise CommandError(_validation_text(exc, flags), returncode=rendering.EXIT_USAGE) from None
        except DatabaseAway as away:
            raise CommandError(str(away), returncode=rendering.EXIT_UNAVAILABLE) from None
        self.report(invocation, options)
        status = rendering.exit_status(invocation)
        if status:
            sys.exit(status)

    def invoke(self, options) -> Invocation:
        try:
            invocation = self.record(options)
        except DATABASE_AWAY as exc:
            # Refused before the row was written (the statement writing it is all or nothing).
            raise DatabaseAway(
                f"The console's database cannot be reached ({error_line(exc)}): nothing was recorded and "
                "no function was invoked. Check DATABASE_URL and that the database is up, then run the "
                "command again."
            ) from exc
        try:
            return run.execute(invocation.pk, retry_inline=True)
        except run.DatabaseUnavailable as exc:
            raise DatabaseAway(
                f"The console's database went away before the call started ({error_line(exc.__cause__)}). "
                f"Recorded: {_link(invocation)}, queued and not run: a worker of the console runs it once "
                "the database is back. Do not run the command again."
            ) from exc
        except run.ResultNotStored as exc:
            raise DatabaseAway(
                f"FC was called, but the console's database stayed unreachable ({error_line(exc.__cause__)}): "
                f"its answer could not be stored, and is not shown. Recorded: {_link(invocation)}, where it "
                "ends `unknown` once the database is back."
            ) from exc
        except DATABASE_AWAY as exc:
            # Another step than the claim or the result (ending a row whose profile cannot be
            # used, a retry's requeue): whether FC was called is not known here.
            raise DatabaseAway(
                f"The console's database went away while the call was handled ({error_line(exc)}). "
                f"Recorded: {_link(invocation)}: look there once the database is back before running "
                "the command again."
            ) from exc

    def record(self, options) -> Invocation:
        """The flags checked, the event read, the row written `queued` (not sent to a queue)."""
        region, service, function = options["region"], options["service_name"], options["function_name"]
        if service and not (region and function):
            raise UsageError("region/service-name/function-name can not be empty.")
        # fc3's own messages (its invoke command and checkRegion).
        if not service and not region:
            raise UsageError("Region not specified, please specify --region")
        if not service and not function:
            raise UsageError("functionName not specified, please specify --function-name")
        invocation_type = _invocation_type(options["invocation_type"], fc3=not service)
        event = read_event(
            event=options["event"],
            event_file=options["event_file"],
            event_stdin=options["event_stdin"],
            stdin=sys.stdin.buffer,
            prompt=lambda text: self.stderr.write(text),
        )
        env_credential = credentials.from_environment(os.environ)
        if env_credential:
            user = self.acting_user(options["as_user"], lambda user: True)
            require_role(user, Role.INVOKER)
            profile = credentials.adhoc_profile(env_credential, user=user, region=region)
        else:
            profile = credentials.named_profile(options["access"])
            user = self.acting_user(options["as_user"], profile.is_usable_by)
        try:
            # The runner uses this same cached client, so --debug sees its calls too.
            client = profile.client(region)
        except DecryptionError:
            client = None  # the runner records why on the row; nothing to list or watch here
        if client is not None and options["debug"]:
            client.observe(debug.printer(self.stderr.write))
        # fc looks for an HTTP trigger first; fc3 invokes the function with the event as it is.
        http_request = (
            self.http_request(profile, region, service, function, options["qualifier"], event)
            if client and service
            else None
        )
        return Invocation.objects.submit(
            user=user,
            profile=profile,
            region=region,
            service=service,
            function=function,
            qualifier=options["qualifier"],
            event=b"" if http_request is not None else event,
            http_request=http_request,
            invocation_type=invocation_type,
            client_timeout=_client_timeout(options["timeout"], fc3=not service),
            async_invocation_id=options["async_invocation_id"],
            confirm_function=options["confirm_function"],
            source=Source.CLI,
            enqueue=False,
        )

    def acting_user(self, username: str, may_use):
        return resolve_user(username) if username else sole_user_who_can(may_use)

    def http_request(self, profile, region, service, function, qualifier, event: bytes) -> dict | None:
        """Like s invoke: a function with an HTTP trigger for this qualifier (the invoke form's rule,
        `browse.http_trigger`) takes the event as the description of an HTTP request. When the
        triggers cannot be listed, the event is sent as an event and the invocation records
        whatever FC answers."""
        try:
            trigger = browse.http_trigger(profile, region, service, function, qualifier)
        except FCError:
            return None
        if trigger is None:
            return None
        try:
            request = jsontext.loads(event or b"{}")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            raise UsageError(
                "handler event error, JSON format required.\n"
                'Example: {"method": "POST", "path": "/login", "headers": {"Content-Type": "text/plain"}, '
                '"queries": {"a": "1"}, "body": "hello"}'
            )
        return request

    def report(self, invocation: Invocation, options) -> None:
        if options["output"] == "json":
            self.stdout.write(rendering.as_json(invocation), ending="")
            return
        if invocation.state in rendering.REFUSED:
            self.stderr.write(rendering.failure_text(invocation), ending="")
        elif options["silent"]:
            sys.stdout.flush()
            sys.stdout.buffer.write(bytes(invocation.response_body or b""))
            sys.stdout.buffer.flush()
            return
        else:
            self.stdout.write(
                rendering.s_invoke_layout(invocation, color=self.stdout.isatty() and not options["no_color"]),
                ending="",
            )
        # On stderr, so stdout stays what `s invoke` prints: where the team finds this call.
        self.stderr.write(f"Recorded: {_link(invocation)}")


def _link(invocation: Invocation) -> str:
    """The invocation's page, where the team finds this call."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('invocation', args=[invocation.uuid])}"


def _invocation_type(value: str, *, fc3: bool) -> str:
    """`sync`/`async` (fc) or `Sync`/`Async` (fc3), whichever the version: the row keeps lower case."""
    if value in ("", "sync", "async", "Sync", "Async"):
        return value.lower() or "sync"
    if fc3:
        raise UsageError(f"Invalid 'invocationType': {value}. Allowed values are: Sync, Async")
    raise UsageError("invocation-type enum value sync, async.")


def _client_timeout(timeout: int | None, *, fc3: bool) -> int | None:
    """fc waits the function's timeout + 420 s in CLI mode; fc3 waits --timeout itself."""
    if timeout is None:
        return None
    return timeout if fc3 else timeout + CLI_TIMEOUT_MARGIN


def _flag_error(parser: CommandParser, message: str):
    """argparse exits 2 on bad flags; 2 means an FC error here, so bad flags exit 64 too."""
    if not parser.called_from_command_line:
        raise CommandError(f"Error: {message}", returncode=rendering.EXIT_USAGE)
    parser.print_usage(sys.stderr)
    parser.exit(rendering.EXIT_USAGE, f"{parser.prog}: error: {message}\n")


# The submit rules name fields as the web form does; say the flag the user typed instead.
FC2_FLAGS = {
    "region": "--region",
    "service": "--service-name",
    "function": "--function-name",
    "qualifier": "--qualifier",
    "invocation_type": "--invocation-type",
    "client_timeout": "--timeout",
    "async_invocation_id": "--stateful-async-invocation-id",
    "confirm_function": "--confirm-function",
}
FC3_FLAGS = FC2_FLAGS | {"async_invocation_id": "--async-task-id"}


def _validation_text(exc: ValidationError, flags: dict[str, str]) -> str:
    if hasattr(exc, "error_dict"):
        return "\n".join(
            f"{flags.get(field, field)}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)
