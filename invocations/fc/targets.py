"""What a call is aimed at: `Target(region, function, service="", qualifier="")`.

A target with a service is an FC 2.0 function (API 2016-08-15); one without is an FC 3.0 function
(API 2023-03-30), as Serverless Devs' `fc` and `fc3` components tell them apart. `protocols.for_target`
turns a target into the wire format; callers never see it.
"""

from __future__ import annotations

from dataclasses import dataclass

FC2_API_VERSION = "2016-08-15"
FC3_API_VERSION = "2023-03-30"


@dataclass(frozen=True)
class Target:
    region: str
    function: str
    service: str = ""
    qualifier: str = ""

    def __post_init__(self) -> None:
        if not self.function:
            raise ValueError("a target names a function")

    @property
    def api_version(self) -> str:
        return FC2_API_VERSION if self.service else FC3_API_VERSION

    def __str__(self) -> str:
        name = f"{self.service}/{self.function}" if self.service else self.function
        return f"{name}:{self.qualifier}" if self.qualifier else name
