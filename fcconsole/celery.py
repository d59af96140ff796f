import os

from celery import Celery
from celery.signals import celeryd_init, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcconsole.settings")

app = Celery("fcconsole")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Imported inside the handlers: this module is loaded before Django is set up (fcconsole/__init__.py).
@celeryd_init.connect
def say_where_we_are(**kwargs):
    from fcconsole.setup_report import describe

    print(f"fcconsole worker: {describe()}", flush=True)


@worker_shutdown.connect
def close_fc_clients(**kwargs):
    from invocations import clients

    clients.close_all()
