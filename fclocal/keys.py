"""Who may call fclocal: the account id and AccessKey pairs, from the environment.

FCLOCAL_ACCOUNT_ID, FCLOCAL_ACCESS_KEY_ID, FCLOCAL_ACCESS_KEY_SECRET (demo defaults below, for a
laptop only) and FCLOCAL_EXTRA_KEYS="id:secret,id2:secret2" for more pairs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEMO_ACCOUNT_ID = "1234567890123456"
DEMO_ACCESS_KEY_ID = "LTAIfclocalDemoKey"
DEMO_ACCESS_KEY_SECRET = "fclocal-demo-secret-do-not-use"  # noqa: S105 - documented demo value


@dataclass(frozen=True)
class Keys:
    account_id: str
    secrets: dict[str, str]

    def __repr__(self) -> str:  # never print secrets
        return f"Keys(account_id={self.account_id!r}, key_ids={sorted(self.secrets)!r})"


def keys_from_env(env=os.environ) -> Keys:
    secrets = {
        env.get("FCLOCAL_ACCESS_KEY_ID") or DEMO_ACCESS_KEY_ID: env.get("FCLOCAL_ACCESS_KEY_SECRET")
        or DEMO_ACCESS_KEY_SECRET
    }
    for pair in filter(None, (p.strip() for p in env.get("FCLOCAL_EXTRA_KEYS", "").split(","))):
        key_id, sep, secret = pair.partition(":")
        if not sep or not key_id or not secret:
            raise ValueError("FCLOCAL_EXTRA_KEYS must look like 'id:secret,id2:secret2'")
        secrets[key_id] = secret
    return Keys(account_id=env.get("FCLOCAL_ACCOUNT_ID") or DEMO_ACCOUNT_ID, secrets=secrets)
