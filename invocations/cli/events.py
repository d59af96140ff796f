"""The event of `s invoke`: `-e` text, `-f` file or `-s` stdin, with its precedence and errors.

Unlike `s invoke` (fc component), which reads files and stdin line by line and joins the lines
without their newlines, the whole input is sent byte for byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from invocations.cli import UsageError

STDIN_PROMPT = "Reading event data from stdin, which can be ended with Enter then Ctrl+D"


def read_event(*, event: str, event_file: str, event_stdin: bool, stdin: BinaryIO, prompt) -> bytes | str:
    given = [bool(event), bool(event_file), bool(event_stdin)]
    if sum(given) > 1:
        raise UsageError("event | event-file | event-stdin must choose one.")
    if event_stdin:
        if stdin.isatty():
            prompt(STDIN_PROMPT)
        return stdin.read()
    if event_file:
        path = Path(event_file).expanduser()
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise UsageError(f'Cannot find event-file "{event_file}".') from None
        except IsADirectoryError:
            raise UsageError(f'The event-file "{event_file}" is a directory.') from None
        except OSError as exc:
            raise UsageError(f'Cannot read event-file "{event_file}": {exc.strerror}.') from None
    return event  # text: submit encodes it
