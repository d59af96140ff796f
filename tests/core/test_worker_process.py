"""The tests' own worker process: one that never answers is stopped, not left running."""

import pytest
from django.conf import settings

from tests.conftest import WorkerProcess


# Transactional: the worker commits its heartbeat row, which the flush after the test removes;
# left behind, a fresh heartbeat would change what the sweep decides in the liveness tests.
@pytest.mark.django_db(transaction=True)
def test_a_worker_that_is_not_ready_in_time_is_stopped(tmp_path):
    # Alive, but listening in another Redis key space: it never sees the ping, which goes to a
    # queue of its own so that no other worker of this run answers it either.
    worker = WorkerProcess(
        settings.DATABASES["default"]["NAME"],
        tmp_path / "worker.log",
        queue="fcconsole-test-unanswered",
        env={"CELERY_KEY_PREFIX": "fcconsole-test-elsewhere:"},
    )
    try:
        with pytest.raises(RuntimeError, match="not ready"):
            worker.start(wait=3)
        assert worker.proc.poll() is not None
    finally:
        worker.stop(kill=True)
