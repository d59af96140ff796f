"""`manage.py fcevent <type> [-] [--param value ...]`: write a trigger event file like `s cli fc-event`.

Writes `event-template/<file>.json` under the current directory (or --dir), overwriting like
fc-event does; `-` prints the event to stdout instead. Every template parameter is a flag
(`--bucket`, `--event-name`, ...); a flag the chosen template does not take is an error.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from invocations.fc import events


def _all_params() -> dict[str, events.Param]:
    params = {}
    for template in events.TEMPLATES.values():
        for param in template.params:
            params.setdefault(param.name, param)
    return params


class Command(BaseCommand):
    help = "Write a trigger event template (http, http-fc3, oss, sls, mns, cdn, tablestore, timer, kafka) to event-template/."

    def add_arguments(self, parser):
        parser.add_argument("type", choices=list(events.TEMPLATES), help="the trigger type")
        parser.add_argument(
            "output", nargs="?", choices=["-"], help="- prints the event instead of writing a file"
        )
        parser.add_argument(
            "--dir", default="event-template", help="directory to write into (default: %(default)s)"
        )
        for name, param in _all_params().items():
            parser.add_argument(
                f"--{name.replace('_', '-')}", dest=name, default=None, help=param.help or None
            )

    def handle(self, *args, **options):
        template = events.TEMPLATES[options["type"]]
        names = {p.name for p in template.params}
        given = {name: options[name] for name in _all_params() if options.get(name) is not None}
        stray = sorted(set(given) - names)
        if stray:
            flags = ", ".join(f"--{n.replace('_', '-')}" for n in sorted(names))
            raise CommandError(f"{template.name} takes no --{stray[0].replace('_', '-')}; it takes {flags}.")
        try:
            text = template.render(**given)
            filename = template.filename_for(**given)
        except events.TemplateError as exc:
            raise CommandError(str(exc)) from None
        if options["output"] == "-":
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
            return
        path = Path(options["dir"]) / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"{template.label} template written to {path}")
        self.stdout.write(f"Invoke with it: manage.py invoke ... --event-file {path}")
