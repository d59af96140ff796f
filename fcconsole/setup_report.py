"""One line that says which database and broker this process uses (printed at start-up)."""

from django.conf import settings

from fcconsole.redaction import mask_url_credentials


def describe() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        database = f"SQLite at {db['NAME']}"
    else:
        database = f"PostgreSQL {db.get('USER') or ''}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    kind = settings.BROKER_KIND
    if kind == "filesystem":
        broker = f"file-system queue under {settings.VAR_DIR / 'broker'} (Redis at {mask_url_credentials(settings.REDIS_URL)} did not answer)"
    else:
        broker = f"{'Redis' if kind == 'redis' else 'broker'} at {mask_url_credentials(settings.CELERY_BROKER_URL)}"
    return f"database: {database}; broker: {broker}"
