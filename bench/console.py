"""The full console path and its baselines, as the path benchmarks drive them.

Console path: `POST /api/v1/invocations/?wait=` to gunicorn -> `Invocation.objects.submit` -> Celery on
Redis -> worker -> FCClient -> fclocal -> row terminal -> response. Baselines: the same call straight
to the same fclocal with our `FCClient`, and with the official `aliyun-fc2` SDK.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from fclocal.keys import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_ACCOUNT_ID

SERVICE = "demo"
NOOP = "noop"
SLOW = "slow"


@dataclass
class Team:
    """An invoker with an API token and a profile pointing at the run's fclocal."""

    user_id: int
    profile_name: str
    token: str


def team(ctx, fclocal_url: str) -> Team:
    """Made once per run (per fclocal)."""
    key = f"team:{fclocal_url}"
    if key in ctx.cache:
        return ctx.cache[key]
    from django.contrib.auth import get_user_model

    from invocations.models import ApiToken, CredentialProfile, Membership, Role

    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-invoker")
    Membership.objects.get_or_create(user=user, defaults={"role": Role.INVOKER})
    name = f"fclocal-{len([k for k in ctx.cache if k.startswith('team:')])}"
    profile = CredentialProfile(
        name=name,
        account_id=DEMO_ACCOUNT_ID,
        default_region="cn-hangzhou",
        access_key_id=DEMO_ACCESS_KEY_ID,
        endpoint=fclocal_url,
        all_invokers=True,
    )
    profile.set_secret(DEMO_ACCESS_KEY_SECRET)
    profile.save()
    _, plaintext = ApiToken.objects.issue(user, "bench")
    ctx.cache[key] = Team(user.pk, name, plaintext)
    return ctx.cache[key]


def retire_unrun(reason: str) -> None:
    """Rows submitted only to measure the submit: take their messages off the queue and end them,
    so that a benchmark after this one in the same run (its worker, its sweep) does not run them."""
    from celery import current_app
    from django.utils import timezone

    from invocations.models import Invocation, InvocationState

    current_app.control.purge()
    Invocation.objects.filter(state=InvocationState.QUEUED).update(
        state=InvocationState.ERROR, state_reason=reason, finished_at=timezone.now()
    )


class ConsoleApi:
    """One client's pooled HTTP session to the console's REST API."""

    def __init__(self, base_url: str, team: Team):
        self.base_url = base_url
        self.url = f"{base_url}/api/v1/invocations/"
        self.team = team
        self.session = requests.Session()
        # As the baseline's FCClient (trust_env off): otherwise every call reads the proxy variables
        # and looks for ~/.netrc: about 0.1 ms of the clients' CPU per call (merging the environment
        # into each request, 95 against 9 us) that the baseline does not pay.
        self.session.trust_env = False
        self.session.headers["Authorization"] = f"Bearer {team.token}"

    def invoke(self, function: str = NOOP, event: str = "", *, wait: int = 30) -> dict:
        """Submit a sync invocation; with `wait`, the answer is the terminal row."""
        response = self.session.post(
            self.url,
            params={"wait": wait} if wait else None,
            json={
                "profile": self.team.profile_name,
                "service": SERVICE,
                "function": function,
                "event": event,
            },
            timeout=wait + 30,
        )
        if response.status_code != 201:
            raise RuntimeError(f"console answered {response.status_code}: {response.text[:300]}")
        return response.json()

    def close(self) -> None:
        self.session.close()


def latency_stack(ctx):
    """The path one client's latency is measured on: fclocal, the team, a worker of 100 threads,
    the web; returned as (fclocal, a client of the console's API, a direct FCClient)."""
    fclocal = ctx.fclocal()
    team_ = team(ctx, fclocal.url)
    ctx.worker(pool="threads", concurrency=100)
    web = ctx.web()
    return fclocal, ConsoleApi(web.url, team_), direct_client(fclocal.url)


def direct_client(fclocal_url: str):
    from invocations.fc.client import FCClient

    return FCClient(fclocal_url, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET)


def sdk_client(fclocal_url: str):
    """The official SDK, asking for the log tail like our client does."""
    import fc2

    client = fc2.Client(
        endpoint=fclocal_url, accessKeyID=DEMO_ACCESS_KEY_ID, accessKeySecret=DEMO_ACCESS_KEY_SECRET
    )
    headers = {"x-fc-invocation-type": "Sync", "x-fc-log-type": "Tail"}
    return lambda function=NOOP, payload=b"": client.invoke_function(
        SERVICE, function, payload=payload, headers=headers
    )
