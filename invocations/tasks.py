from celery import shared_task


@shared_task(name="fcconsole.ping", ignore_result=False)
def ping(nonce: str) -> str:
    """Answers /healthz: proves a worker is consuming the queue."""
    return nonce
