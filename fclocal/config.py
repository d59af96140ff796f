"""The project files fclocal serves: Serverless Devs 2.x (`services:`, component `fc`, see
`config2.py`) and 3.x (`edition: 3.0.0`, `resources:`, component `fc3`, see `config3.py`).

`--config` may be given more than once; all files make one `Project`. Anything fclocal cannot run
stops start-up with a `ConfigError` naming the file, the dotted key and the problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fclocal.config2 import load_services
from fclocal.config3 import load_functions
from fclocal.model import Project
from fclocal.reader import ConfigError, read_file

__all__ = ["ConfigError", "load_project", "load_projects"]


def load_projects(paths: Iterable[Path | str]) -> Project:
    project = Project(paths=[Path(p) for p in paths])
    if not project.paths:
        raise ConfigError("(none)", "--config", "at least one project file is needed")
    for path in project.paths:
        top = read_file(path)
        has_services, has_resources = "services" in top.data, "resources" in top.data
        if has_services and has_resources:
            top.fail("resources", "a file has services: (2.x) or resources: (3.x), not both")
        if has_resources or top.text("edition").startswith("3."):
            load_functions(top, project.functions3, project.versions3)
        elif has_services:
            load_services(top, project.services)
        else:
            top.fail("services", "is required (Serverless Devs 2.x), or resources: with edition 3.0.0 (3.x)")
    return project


def load_project(path: Path | str) -> Project:
    return load_projects([path])
