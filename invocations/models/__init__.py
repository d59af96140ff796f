from invocations.models.follows import FollowedFunction
from invocations.models.invocations import AsyncStatusEvent, Invocation, InvocationState
from invocations.models.profiles import CredentialProfile
from invocations.models.roles import Membership, Role, role_of
from invocations.models.targets import PinnedTarget
from invocations.models.tokens import ApiToken
from invocations.models.workers import Worker

__all__ = [
    "ApiToken",
    "AsyncStatusEvent",
    "CredentialProfile",
    "FollowedFunction",
    "Invocation",
    "InvocationState",
    "Membership",
    "PinnedTarget",
    "Role",
    "Worker",
    "role_of",
]
