"""Suites as files: `suite/<name>.json` beside the `event-template/<name>.json` of the saved
events they use, in one zip, the layout of the saved-event export (savedevents/transfer.py).

A suite file holds {"name", "description", "checks"} (checks as suites/definition.py has them;
saved events by name). Import takes such a zip (its events go through the saved events' own
importer, same rules and reports) or a single suite .json; a suite of the importer's with the
same name gets a new version, as an edit would.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

from savedevents import transfer as event_files
from suites.models import Suite
from suites.runs import saved_event

FOLDER = "suite"
MAX_SUITE_FILE = 1024 * 1024


@dataclass
class Outcome:
    path: str
    status: str  # "created" | "updated" | "rejected"
    reason: str = ""


def suite_file(suite: Suite) -> bytes:
    document = {"name": suite.name, "description": suite.description, "checks": suite.checks}
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def export_zip(suites, user) -> bytes:
    """The suites and every saved event they name that `user` sees."""
    buffer = io.BytesIO()
    written: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for suite in suites:
            archive.writestr(f"{FOLDER}/{suite.name}.json", suite_file(suite))
            for check in suite.checks:
                name = check["event"].get("saved")
                event = saved_event(user, name) if name else None
                if event is not None and event.name not in written:
                    written.add(event.name)
                    archive.writestr(f"{event_files.FOLDER}/{event_files.filename(event)}", event.payload())
    return buffer.getvalue()


class Importer:
    def __init__(self, owner, *, visibility: str):
        self.owner, self.visibility = owner, visibility
        self.events = event_files.Importer(owner, visibility=visibility)
        self.outcomes: list[Outcome] = []

    def add_upload(self, name: str, data: bytes) -> None:
        if not name.lower().endswith(".zip"):
            self.add_suite(name, data)
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            self.outcomes.append(Outcome(name, "rejected", "not a zip file"))
            return
        suites, events = [], io.BytesIO()
        with archive, zipfile.ZipFile(events, "w") as event_zip:
            for entry in archive.infolist():
                top = PurePosixPath(entry.filename).parts[:1]
                if top == (FOLDER,) and not entry.is_dir():
                    if entry.file_size > MAX_SUITE_FILE:
                        self.outcomes.append(
                            Outcome(f"{name}:{entry.filename}", "rejected", "larger than 1 MB")
                        )
                    else:
                        suites.append((f"{name}:{entry.filename}", archive.read(entry)))
                elif (
                    top == (event_files.FOLDER,)
                    and not entry.is_dir()
                    and entry.file_size <= MAX_SUITE_FILE * 32
                ):
                    event_zip.writestr(entry.filename, archive.read(entry))
        # Events first: the suites name them.
        self.events.add_zip(name, io.BytesIO(events.getvalue()))
        for path, content in suites:
            self.add_suite(path, content)

    def add_suite(self, path: str, data: bytes) -> None:
        try:
            document = json.loads(data)
            if not isinstance(document, dict) or not isinstance(document.get("name"), str):
                raise ValueError
        except ValueError:
            self.outcomes.append(
                Outcome(path, "rejected", 'not a suite file: {"name", "description", "checks"}')
            )
            return
        suite = Suite.objects.alive().filter(owner=self.owner, name=document["name"]).first()
        status = "updated" if suite else "created"
        suite = suite or Suite(owner=self.owner, name=document["name"])
        suite.description = str(document.get("description") or "")
        suite.checks = document.get("checks") or []
        suite.visibility = self.visibility
        try:
            if status == "created":
                suite.save_new(self.owner, note=f"imported from {path}")
                reason = ""
            else:
                added = suite.save_edit(self.owner, note=f"imported from {path}")
                reason = f"new version {suite.version}" if added else "same checks; no new version"
        except ValidationError as exc:
            self.outcomes.append(Outcome(path, "rejected", "; ".join(exc.messages)))
            return
        self.outcomes.append(Outcome(path, status, reason))

    @property
    def all_outcomes(self) -> list:
        return [*self.events.outcomes, *self.outcomes]
