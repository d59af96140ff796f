from invocations.models.invocations import AsyncStatusEvent, Invocation, InvocationState
from invocations.models.profiles import CredentialProfile
from invocations.models.roles import Membership, Role, role_of

__all__ = [
    "AsyncStatusEvent",
    "CredentialProfile",
    "Invocation",
    "InvocationState",
    "Membership",
    "Role",
    "role_of",
]
