"""Events as files: export to a zip of `event-template/<name>.json`, import files, zips and folders.

The file layout is the one `s cli fc-event` writes and `s invoke --event-file` reads, so an
export works with the Serverless Devs CLI as it is. A file holds the event body only; binary
bodies go to `<name>.bin`. Import reports every file as created, updated or rejected with the
reason, and one bad file never stops the others.
"""

import base64
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from savedevents import bodies
from savedevents.bodies import Kind
from savedevents.models import SavedEvent, name_validator

FOLDER = "event-template"
MAX_ENTRIES = 1000
# A zip is judged by what its directory declares before anything is inflated (zipfile never
# inflates an entry past its declared size): every entry within FC's event limit, all of them
# together within MAX_TOTAL_BYTES, and no large entry compressed more than MAX_RATIO times, the
# shape of a zip bomb (a few MB of zeros declaring gigabytes).
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024


@dataclass
class FileResult:
    """What importing one file of an upload did."""

    path: str
    status: str  # "created" | "updated" | "rejected"
    reason: str = ""
    event: SavedEvent | None = None


def filename(event: SavedEvent) -> str:
    return f"{event.name}.bin" if event.kind == Kind.BINARY else f"{event.name}.json"


def export_zip(events) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for event in events:
            archive.writestr(f"{FOLDER}/{filename(event)}", event.payload())
    return buffer.getvalue()


def _unsafe(name: str) -> bool:
    """A zip entry that would land outside the folder it is unpacked into."""
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


class Importer:
    """Imports event files for one owner; `outcomes` lists what happened to each, in order."""

    def __init__(self, owner, *, visibility: str, require_json: bool = True, invocation_type: str = "sync"):
        self.owner = owner
        self.visibility = visibility
        self.require_json = require_json
        self.invocation_type = invocation_type
        self.outcomes: list[FileResult] = []
        self._names: dict[str, str] = {}  # name -> path that brought it, within this import

    def _reject(self, path: str, reason: str) -> FileResult:
        outcome = FileResult(path, "rejected", reason)
        self.outcomes.append(outcome)
        return outcome

    def add_upload(self, name: str, data: bytes) -> None:
        """A file as uploaded: a zip is opened, anything else is one event file."""
        if name.lower().endswith(".zip"):
            self.add_zip(name, io.BytesIO(data))
        else:
            self.add_file(name, data)

    def add_zip(self, label: str, fileobj) -> None:
        try:
            archive = zipfile.ZipFile(fileobj)
        except zipfile.BadZipFile:
            self._reject(label, "not a zip file")
            return
        with archive:
            entries = [e for e in archive.infolist() if not e.is_dir()]
            if len(entries) > MAX_ENTRIES:
                self._reject(label, f"more than {MAX_ENTRIES} files in one zip")
                return
            total = sum(e.file_size for e in entries)
            if total > MAX_TOTAL_BYTES:
                self._reject(
                    label,
                    f"its files would unpack to {filesizeformat(total)}; one import takes at most "
                    f"{filesizeformat(MAX_TOTAL_BYTES)}: split it into smaller zips",
                )
                return
            limit = bodies.limit_for(self.invocation_type)
            for entry in entries:
                path = f"{label}:{entry.filename}"
                if _unsafe(entry.filename):
                    self._reject(path, "path traversal: the entry points outside the archive")
                elif entry.file_size > limit:  # judged on the declared size: never inflated
                    self._reject(
                        path,
                        f"unpacks to {filesizeformat(entry.file_size)}; an event for a "
                        f"{self.invocation_type} invocation is at most {filesizeformat(limit)}",
                    )
                elif entry.file_size > RATIO_CHECKED_FROM and entry.file_size > MAX_RATIO * max(
                    entry.compress_size, 1
                ):
                    self._reject(
                        path,
                        f"compressed more than {MAX_RATIO} times ({filesizeformat(entry.compress_size)} "
                        f"unpacking to {filesizeformat(entry.file_size)}), like a zip bomb; import "
                        "the file itself instead",
                    )
                else:
                    try:
                        data = archive.read(entry)
                    except (RuntimeError, zipfile.BadZipFile, NotImplementedError) as exc:
                        self._reject(path, f"cannot be read: {exc}")
                        continue
                    self.add_file(path, data, name_from=entry.filename)

    def add_folder(self, folder: Path) -> None:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            self.add_file(str(path), path.read_bytes())

    def add_file(self, path: str, data: bytes, *, name_from: str | None = None) -> FileResult:
        file = PurePosixPath((name_from or path).replace("\\", "/"))
        suffix = file.suffix.lower()
        if suffix not in (".json", ".bin"):
            return self._reject(path, "not an event file (expected .json, or .bin for binary)")
        name = file.stem
        try:
            name_validator(name)
        except ValidationError as exc:
            return self._reject(path, f"{name!r} cannot be an event name: {exc.messages[0]}")
        if name in self._names:
            return self._reject(
                path, f"duplicate name {name!r}: {self._names[name]} in this import has it too"
            )
        self._names[name] = path
        if suffix == ".bin":
            kind, body = Kind.BINARY, base64.b64encode(data).decode("ascii")
        else:
            try:
                body = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                return self._reject(
                    path, f"not UTF-8 text (byte {exc.start}); binary events belong in .bin files"
                )
            kind = Kind.JSON if bodies.is_json(body) else Kind.TEXT
            if kind == Kind.TEXT and self.require_json:
                return self._reject(path, "not JSON (import as text to keep it)")
        return self._save(path, name, kind, body)

    def _save(self, path: str, name: str, kind: str, body: str) -> FileResult:
        event = SavedEvent.objects.alive().filter(owner=self.owner, name=name).first()
        status = "updated" if event else "created"
        if event is None:
            # The visibility asked for is for new events only: re-importing a file must not
            # quietly take a team event away from teammates (sharing is changed on the event).
            event = SavedEvent(owner=self.owner, name=name, visibility=self.visibility)
        event.kind, event.body = kind, body
        event.invocation_type = self.invocation_type
        try:
            with transaction.atomic():
                if status == "created":
                    event.save_new(self.owner, note=f"imported from {path}")
                    reason = ""
                else:
                    added = event.save_edit(self.owner, note=f"imported from {path}")
                    reason = f"new version {event.version}" if added else "same body; no new version"
        except ValidationError as exc:
            return self._reject(path, "; ".join(exc.messages))
        outcome = FileResult(path, status, reason, event)
        self.outcomes.append(outcome)
        return outcome
