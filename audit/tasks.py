from celery import shared_task

from audit import retention


@shared_task(name="audit.prune_history", ignore_result=True)
def prune_history() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): drop history older than HISTORY_RETENTION_DAYS."""
    return retention.prune_history().invocations
