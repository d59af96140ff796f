"""What fclocal serves: the functions of one or more project files, as plain data.

FC 2.0 functions live in services (`Project.services`); FC 3.0 functions live on their own
(`Project.functions3`, the 3.0 namespace) and carry `service == ""`. The two never mix: a 3.0
function named like a 2.0 one is a different function. Versions and aliases belong to a 2.0
service or to a 3.0 function (fclocal's extension of the project files: they run the same code
as LATEST and exist so that qualified calls resolve like FC's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fclocal.checksum import code_checksum

# The separator of a 2.0 function seen through the 3.0 API: `service$function`. unconfirmed
# (fc3-api.md 8): chose `$`, the one spelling reported for the real service.
FC2_NAME_SEPARATOR = "$"


@dataclass(frozen=True)
class AsyncConfig:
    max_retry_attempts: int = 3
    max_event_age_seconds: int = 86400
    # The async-task switch: 2.x `statefulInvocation`, 3.x `asyncTask`.
    stateful: bool = False
    destination: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Trigger:
    name: str
    type: str
    config: dict
    qualifier: str = "LATEST"
    description: str = ""
    source_arn: str = ""
    invocation_role: str = ""

    @property
    def auth_type(self) -> str:
        return self.config.get("authType", "function")

    @property
    def is_http(self) -> bool:
        return self.type in ("http", "https")


@dataclass(frozen=True)
class Version:
    id: str
    description: str = ""


@dataclass(frozen=True)
class Alias:
    name: str
    version_id: str
    description: str = ""


@dataclass
class Versions:
    """The versions and aliases of a 2.0 service or of a 3.0 function."""

    versions: dict[str, Version] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)


@dataclass(frozen=True)
class Function:
    service: str  # "" for an FC 3.0 function
    name: str
    runtime: str
    handler: str
    code_dir: Path
    region: str = ""
    memory_size: int = 128
    timeout: int = 3
    initializer: str = ""
    initialization_timeout: int = 3
    environment: dict = field(default_factory=dict)
    instance_concurrency: int = 1
    description: str = ""
    async_config: AsyncConfig = field(default_factory=AsyncConfig)
    triggers: tuple[Trigger, ...] = ()
    role: str = ""
    internet_access: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.name)

    @property
    def is_fc3(self) -> bool:
        return not self.service

    @property
    def fc3_name(self) -> str:
        """Its name in the 3.0 API: the name, or `service$function` for a 2.0 function."""
        return f"{self.service}{FC2_NAME_SEPARATOR}{self.name}" if self.service else self.name

    @property
    def http_trigger(self) -> Trigger | None:
        return next((t for t in self.triggers if t.is_http), None)

    def http_trigger_for(self, qualifier: str) -> Trigger | None:
        return next((t for t in self.triggers if t.is_http and t.qualifier == qualifier), None)

    def describe(self) -> str:
        """How messages name it: `function 'f' of service 's'` (2.0) or `function 'f'` (3.0)."""
        return f"function '{self.name}'" + (f" of service '{self.service}'" if self.service else "")


@dataclass
class Service:
    name: str
    region: str
    description: str = ""
    role: str = ""
    internet_access: bool = True
    log_config: dict = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    versions: dict[str, Version] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)


@dataclass
class Project:
    paths: list[Path]
    services: dict[str, Service] = field(default_factory=dict)
    functions3: dict[str, Function] = field(default_factory=dict)
    versions3: dict[str, Versions] = field(default_factory=dict)  # per 3.0 function name

    @property
    def path(self) -> Path:
        return self.paths[0]

    def functions(self) -> list[Function]:
        """Every function, 2.0 and 3.0."""
        return [f for s in self.services.values() for f in s.functions.values()] + list(
            self.functions3.values()
        )

    def checksums(self) -> dict[tuple[str, str], str]:
        return {f.key: code_checksum(f.code_dir) for f in self.functions()}
