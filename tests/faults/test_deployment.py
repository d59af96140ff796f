"""How the processes are laid out, so that no fault needs a person (README, Workers)."""

from __future__ import annotations

import shlex

import yaml

from tests.conftest import ROOT


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_scheduler_is_its_own_process_and_no_worker_embeds_it():
    processes = procfile()
    assert "celery -A fcconsole beat" in processes["beat"]
    assert " -B" not in processes["worker"] and "--beat" not in processes["worker"]
    assert set(processes) == {"web", "worker", "beat", "fclocal"}


def test_compose_runs_one_scheduler_apart_and_restarts_every_service():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["beat"]["command"].startswith("celery -A fcconsole beat")
    assert " -B" not in services["worker"]["command"]
    assert {name: s.get("restart") for name, s in services.items()} == dict.fromkeys(
        services, "unless-stopped"
    )


def test_compose_runs_one_worker_process_per_core_holding_a_thousand_calls_together():
    # README, Workers: a burst's starts hold one process's GIL; of 1,000 calls sent one after
    # another, two processes of the threads pool started each within 0.5 s of its send, one
    # process took up to 1.5-2 s (bench/concurrency.py, bench/RESULTS.md 11:46).
    worker = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["worker"]
    argv = shlex.split(worker["command"])
    assert argv[argv.index("-P") + 1] == "threads"
    replicas = worker["deploy"]["replicas"]
    assert replicas == 2
    assert int(argv[argv.index("-c") + 1]) * replicas >= 1000
