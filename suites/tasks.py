"""Celery tasks of suites. Task names are interface (the beat schedule in settings): keep them."""

from celery import shared_task

from suites import runs, schedules


@shared_task(name="suites.tick", ignore_result=True)
def tick() -> None:
    """Every SUITES_TICK_INTERVAL seconds (CELERY_BEAT_SCHEDULE): fire the due schedules, and
    give a verdict to every run whose invocations have all ended, watched or not."""
    schedules.fire_due()
    runs.finish_ready()
