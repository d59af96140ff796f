import os

from celery import Celery, bootsteps
from celery.signals import celeryd_after_setup, celeryd_init, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcconsole.settings")

app = Celery("fcconsole")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class SayWhenReconnected(bootsteps.StartStopStep):
    """Starts with the worker's consumer, and again each time it is back on the broker after losing
    it (Celery restarts the consumer's steps then). A consumer that lost the broker dropped the
    messages it had prefetched: the sweep re-sends their rows (lifecycle/sweep.py)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.connected_before = False

    def start(self, parent):
        if self.connected_before:
            from invocations.lifecycle import sweep

            sweep.suspect_lost_messages(f"worker {parent.hostname} is back on the broker")
        self.connected_before = True


app.steps["consumer"].add(SayWhenReconnected)


# Imported inside the handlers: this module is loaded before Django is set up (fcconsole/__init__.py).
@celeryd_init.connect
def say_where_we_are(**kwargs):
    from fcconsole.setup_report import describe

    print(f"fcconsole worker: {describe()}", flush=True)


@celeryd_after_setup.connect
def start_heartbeat(sender, **kwargs):
    """Before the worker consumes anything: every row it claims names a worker with a heartbeat."""
    from invocations.lifecycle import liveness

    liveness.start(sender)


@worker_shutdown.connect
def close_fc_clients(**kwargs):
    from invocations import clients
    from invocations.lifecycle import liveness

    liveness.stop()
    clients.close_all()
