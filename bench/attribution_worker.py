"""The project's Celery app, with attribution on once the worker is ready (bench/attribution.py).

Started as `celery -A bench.attribution_worker worker ...`."""

from celery.signals import worker_ready

from fcconsole.celery import app

__all__ = ["app"]


@worker_ready.connect
def _attribute(**kwargs):
    from bench import attribution

    attribution.start("worker", attribution.WORKER)
