"""The REST API while PostgreSQL is away from the web, and after: a 503 in plain words (JSON,
`database_unavailable`, Retry-After), never an HTML error page; served again once the database is
back, by the same gunicorn process, without anyone restarting it."""

from __future__ import annotations

import time

import pytest
import requests

from bench import services
from invocations.models import ApiToken, Invocation
from tests.conftest import _worker_env
from tests.faults.conftest import BOUND

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Zr52-never-shown"  # noqa: S105 - in the URL only; PostgreSQL here trusts local users


def test_the_api_says_the_database_is_away_and_serves_again_when_it_is_back(stack):
    proxy = stack.database_proxy()
    _, token = ApiToken.objects.issue(stack.user, "faults")
    env = (
        _worker_env(stack.db_name)
        | stack.env
        | {
            "DATABASE_URL": proxy.database_url.replace("postgres@", f"postgres:{PASSWORD}@"),
            "DB_CONNECT_TIMEOUT": "1",
            "DEBUG": "false",
        }
    )
    # gunicorn as the benchmarks and docker-compose run it, one process of two threads.
    web = services.web(stack.tmp, workers=1, threads=2, env=env)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    body = {"profile": stack.profile.name, "service": "demo", "function": "noop"}

    def post() -> requests.Response:
        return session.post(f"{web.url}/api/v1/invocations/", json=body, timeout=30)

    try:
        assert post().status_code == 201
        proxy.stop()
        away = post()
        proxy.start()
        # The process's connection pool reconnects on its own (psycopg_pool, backing off): each
        # request until then is answered the same 503, and then served.
        back, answers, started = post(), 1, time.monotonic()
        while back.status_code == 503 and time.monotonic() - started < BOUND:
            assert back.json()["code"] == "database_unavailable"
            time.sleep(0.5)
            back, answers = post(), answers + 1
    finally:
        web.stop()
    log = web.log_path.read_text()

    assert away.status_code == 503, away.text[:2000]
    assert away.headers["Content-Type"] == "application/json"
    assert away.headers["Retry-After"] == "10"
    assert away.json()["code"] == "database_unavailable"
    assert away.json()["message"].startswith("The console's database cannot be reached right now.")
    assert str(proxy.port) not in away.text and PASSWORD not in away.text
    # The reason is in the web's log, without the password.
    assert "POST /api/v1/invocations/: database unreachable" in log and "Traceback" not in log
    assert PASSWORD not in log
    assert back.status_code == 201, (answers, back.text[:2000])
    # What the 503s answered wrote nothing.
    assert Invocation.objects.filter(user=stack.user).count() == 2
