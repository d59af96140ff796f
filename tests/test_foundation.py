import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tests.conftest import ROOT
from tests.fixtures.django_process import DATABASE_AWAY_URL, request_with_the_database_away, run_django


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def _run_check(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # A clean process: nothing of this test run's settings (nor the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE) may leak into the configuration under test.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "SECRET_KEY", "CELERY_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "FCCONSOLE_ENV": "production",
    "SECRET_KEY": "x7Kq2mV9pL4wZ8rT1yB6nH3jF5dS0aG2cE7uI9oP4lK8mN1bV6",
    "ALLOWED_HOSTS": "console.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/fcconsole",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "FCCONSOLE_ENCRYPTION_KEYS": "q3Ab8vQ7u6oY0k1Lr3Q9S8q2rLh0nW0s8M6Zy0VbH3E=",
    "AUDIT_KEY": "Vd2m8Qe1xZr7Lk4pT9sB3nW6yH0jC5fA",
}


def test_check_deploy_is_clean_in_production_mode():
    result = _run_check(PRODUCTION_ENV, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "FCCONSOLE_ENCRYPTION_KEYS",
        "AUDIT_KEY",
    ],
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _run_check(env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(PRODUCTION_ENV["SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env["SECRET_KEY_FILE"] = str(secret_file)
    assert _run_check(env).returncode == 0


def test_a_malformed_boolean_names_the_variable():
    result = _run_check({"FCCONSOLE_ENV": "development", "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    settings_src = (ROOT / "fcconsole" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()
    import re

    names = set(re.findall(r'env\.\w+\("([A-Z_]+)"', settings_src))
    missing = sorted(n for n in names if f"{n}=" not in example and f"# {n}" not in example)
    assert not missing, f".env.example does not list {missing}"


def test_docker_compose_commands_exist_in_the_project():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "fclocal"} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
        command = service.get("command")
        if not command or "build" not in service:
            continue  # a stock image (postgres, redis) runs its own command
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        if argv[0] in ("sh", "-c"):
            continue
        if argv[:3] == ["python", "-m", "fclocal"]:
            assert (ROOT / "fclocal" / "__main__.py").exists()
        elif argv[:2] == ["python", "manage.py"]:
            from django.core.management import get_commands

            assert argv[2] in get_commands(), f"{name}: manage.py {argv[2]} does not exist"
        elif argv[0] == "celery":
            assert argv[argv.index("-A") + 1] == "fcconsole"
        elif argv[0] == "gunicorn":
            module = argv[-1].split(":")[0]
            assert (ROOT / Path(*module.split("."))).with_suffix(".py").exists()
        else:
            pytest.fail(f"{name}: unexpected command {argv[0]}")


def test_procfile_runs_web_worker_beat_and_fclocal():
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(lines) == {"web", "worker", "beat", "fclocal"}
    # The scheduler (sweep, tracker) is its own process: a dead worker must not take it along.
    assert "-B" not in lines["worker"].split() and "celery -A fcconsole beat" in lines["beat"]


def test_the_demo_fclocal_serves_the_fc2_and_the_fc3_project_in_procfile_and_compose():
    procfile = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["fclocal"]["command"]
    for command in (procfile["fclocal"], compose):
        argv = shlex.split(command)
        configs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--config"]
        assert configs == ["examples/s.yaml", "examples/fc3/s.yaml"], command
        assert all((ROOT / config).is_file() for config in configs)


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert b"htmx-2.0.11.min.js" in response.content


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_healthz_reports_every_part_up_with_a_worker(client, celery_worker):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body == {"database": "up", "broker": "up", "worker": "up", "status": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_worker_when_none_answers(client, settings):
    # No worker consumes this run's queue here: the ping goes unanswered.
    from invocations import health

    assert health.worker(timeout=0.5) is not None
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["worker"] == "down"


def _healthz_in_a_process(**env_overrides) -> tuple[str, dict, str]:
    script = "from django.test import Client; r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    result = run_django(script, **env_overrides)
    status, _, payload = result.stdout.strip().partition(" ")
    assert payload, result.stderr
    return status, json.loads(payload), result.stderr


def test_healthz_names_the_database_when_it_is_down():
    # A database on a port where nothing listens: the page still answers, naming the part.
    # DB_CONNECT_TIMEOUT bounds how long the connection pool keeps the request waiting.
    status, body, _ = _healthz_in_a_process(DATABASE_URL=DATABASE_AWAY_URL, DB_CONNECT_TIMEOUT="1")
    assert status == "503"
    assert body["database"] == "down"
    assert "database" in body["errors"] and "broker" not in body["errors"]


def test_a_page_that_needs_the_database_says_so_in_plain_words_when_it_is_down():
    status, page, stderr = request_with_the_database_away(
        "post", "/login/", {"username": "a", "password": "b"}
    )
    assert status == "503 10", stderr[-2000:]
    assert "The console's database cannot be reached" in page
    assert "/healthz" in page
    assert "Traceback" not in page and "port 1" not in page
    # In the log: the error in one line, and Django's own line for the 503 without a traceback.
    assert "/login/: database unreachable" in stderr
    assert "Service Unavailable: /login/" in stderr and "Traceback" not in stderr


def test_healthz_names_the_broker_when_it_is_down():
    # A separate process whose broker is a port where nothing listens: a real outage.
    status, body, _ = _healthz_in_a_process(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    assert status == "503"
    assert body["broker"] == "down" and body["worker"] == "down"
    assert "broker" in body["errors"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_real_worker_completes_a_round_trip(celery_worker):
    from invocations.tasks import ping

    assert ping.delay("round-trip").get(timeout=10) == "round-trip"
