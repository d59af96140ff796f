"""One line that says which database and broker this process uses (printed at start-up)."""

from urllib.parse import urlparse

from django.conf import settings


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        url = url.replace(f":{parsed.password}@", ":****@")
    return url


def describe() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        database = f"SQLite at {db['NAME']}"
    else:
        database = f"PostgreSQL {db.get('USER') or ''}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    kind = settings.BROKER_KIND
    if kind == "filesystem":
        broker = f"file-system queue under {settings.VAR_DIR / 'broker'} (Redis at {settings.REDIS_URL} did not answer)"
    else:
        broker = f"{'Redis' if kind == 'redis' else 'broker'} at {_redact(settings.CELERY_BROKER_URL)}"
    return f"database: {database}; broker: {broker}"
