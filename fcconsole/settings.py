"""fcconsole settings, read from the environment (a `.env` file is loaded when present).

Every variable is listed with its default and meaning in `.env.example`. The defaults make
`make run` work on a laptop: SQLite under var/, Redis when it answers, else a file-system queue.
`FCCONSOLE_ENV=production` refuses to start without explicit secrets, hosts, database and broker.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from fcconsole import broker, env

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env", override=False)

VAR_DIR = Path(env.string("FCCONSOLE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

FCCONSOLE_ENV = env.string("FCCONSOLE_ENV", "development")
PRODUCTION = FCCONSOLE_ENV == "production"
if FCCONSOLE_ENV not in ("development", "production", "test"):
    raise ImproperlyConfigured("FCCONSOLE_ENV must be development, production or test")
TESTING = FCCONSOLE_ENV == "test"
if TESTING and not os.environ.get("CELERY_KEY_PREFIX"):
    # Each test run gets its own Redis key space; the worker it starts inherits it.
    os.environ["CELERY_KEY_PREFIX"] = f"fcconsole-test-{uuid.uuid4().hex[:8]}:"

if PRODUCTION:
    # One line per missing variable, first one wins: the operator fixes them in order.
    for name, what in (
        ("SECRET_KEY", "the Django secret key"),
        ("ALLOWED_HOSTS", "the host names this console answers to"),
        ("DATABASE_URL", "the PostgreSQL database"),
        ("CELERY_BROKER_URL", "the Redis broker"),
        ("FCCONSOLE_ENCRYPTION_KEYS", "the Fernet key(s) that encrypt credential secrets"),
        ("AUDIT_KEY", "the key that signs the audit trail and its digests"),
    ):
        if not env.is_set(name):
            raise ImproperlyConfigured(f"{name} must be set in production ({what})")

SECRET_KEY = env.secret("SECRET_KEY", "dev-only-insecure-secret-key-change-me")
DEBUG = env.boolean("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS")
# Where the console is reached: `manage.py invoke` prints its links with it. The default is
# `make run`'s address (FCCONSOLE_PORT, as in the Procfile).
SITE_URL = env.string("SITE_URL", f"http://127.0.0.1:{env.string('FCCONSOLE_PORT', '8000')}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "invocations",
    "savedevents",
    "team",
    "audit",
    "suites",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL or other control character in the address is a 400, before any view or query.
    "invocations.middleware.RefuseControlCharacters",
    "fcconsole.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.context.AuditContextMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fcconsole.urls"
WSGI_APPLICATION = "fcconsole.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "invocations.context_processors.console",
            ],
        },
    },
]

DATABASE_URL = env.secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fcconsole.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and CLI share one SQLite file: wait for locks instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A connection pool per process (psycopg_pool). Closing a connection hands it back instead of
    # tearing down TCP and authentication, which was the worker's top own cost in
    # bench/RESULTS.md (console_latency). Idle connections beyond the first close after a minute.
    # A database that is down or unreachable fails a request after DB_CONNECT_TIMEOUT seconds
    # (the pool keeps retrying in the background) instead of hanging it: keep DB_POOL_SIZE at or
    # above a process's threads that use the database at once, so a healthy pool never makes a
    # request wait that long for a free connection.
    _connect_timeout = env.integer("DB_CONNECT_TIMEOUT", 5)
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = _connect_timeout
    # After a PostgreSQL restart every pooled connection is broken: with CONN_HEALTH_CHECKS Django
    # has the pool test each one as it is handed out (an empty query) and replace it, so no claim
    # or heartbeat fails on a dead connection; the pool keeps reconnecting, backing off, for ever.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's backend, with that check made cheap: the empty query only when the socket shows the
    # server has gone or said something (fcconsole/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "fcconsole.postgresql"
    # Parameters bound by the server, not quoted into the SQL text by psycopg: the same statement
    # text each time, which psycopg prepares on the server after its fifth run on a connection, so
    # PostgreSQL parses and plans the hot statements (the claim, the finish, the submit's INSERTs)
    # once per pooled connection instead of on every call (issue 18, bench/RESULTS.md).
    # Django turns psycopg's automatic preparing off (for poolers in transaction mode, which a
    # prepared statement does not survive); ours is psycopg_pool, one backend per connection.
    # DB_SERVER_SIDE_BINDING=false (behind PgBouncer in transaction mode): neither.
    _server_side_binding = env.boolean("DB_SERVER_SIDE_BINDING", True)
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = _server_side_binding
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5 if _server_side_binding else None
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": env.integer("DB_POOL_SIZE", 20),
        "max_idle": 60,
        "timeout": _connect_timeout,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "audit.backends.LoginThrottleBackend",  # django-axes: refuses locked-out sign-ins first
    "django.contrib.auth.backends.ModelBackend",
]
# A sync event may be 32 MB (FC's limit); a form or API body a little larger must reach our own
# validation and its clear message instead of Django's bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 33 * 1024 * 1024
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 12 * 3600)
# Reverse proxies in front of the console whose X-Forwarded-For is trusted (audit IPs, throttling).
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0)

# --- Sign-in throttling (django-axes) ---------------------------------------------------------
# Lock a username from one address after AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_MINUTES:
# by the pair, so neither an attacker elsewhere nor a colleague behind the same NAT is locked out.
AXES_ENABLED = env.boolean("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "audit.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- History retention --------------------------------------------------------------------
# Days of invocation history kept; 0 keeps it forever. Pruned hourly by invocations.tasks.prune_history.
HISTORY_RETENTION_DAYS = env.integer("HISTORY_RETENTION_DAYS", 0)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.string("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Celery: our row is the truth, Celery is transport (DESIGN.md) ---------------------------
REDIS_URL = env.string("REDIS_URL", "redis://127.0.0.1:6379/0")
if env.is_set("CELERY_BROKER_URL"):
    CELERY_BROKER_URL = env.secret("CELERY_BROKER_URL")
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
    BROKER_KIND = "configured"
elif broker.redis_answers(REDIS_URL):
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    BROKER_KIND = "redis"
else:
    CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker.filesystem_broker(VAR_DIR)
    BROKER_KIND = "filesystem"
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport, cheaper per message (one client per channel, several messages per wait).
    CELERY_BROKER_TRANSPORT = "fcconsole.redis_transport:Transport"
if env.is_set("CELERY_KEY_PREFIX"):
    # Lets several test runs share one Redis without taking each other's messages.
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env.string("CELERY_KEY_PREFIX")
# The cache is shared by every web and worker process when there is a Redis: the async tracker
# keeps each function's place in FC's listing there (invocations/lifecycle/tracking/). Same key space as
# the broker's, so a test or benchmark run's keys go with it.
if CELERY_BROKER_URL.startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": env.string("CELERY_KEY_PREFIX", "fcconsole:"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_RESULT_BACKEND = env.string(
    "CELERY_RESULT_BACKEND",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else f"file://{VAR_DIR / 'results'}",
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    (VAR_DIR / "results").mkdir(exist_ok=True)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = dict(CELERY_BROKER_TRANSPORT_OPTIONS)
if CELERY_BROKER_URL.startswith("redis://"):
    # No acknowledgement emulation: kombu keeps every delivered message in Redis (a hash and a
    # sorted set, written and cleared in two MULTI/EXEC round trips per task) to put it back an
    # hour after a worker died holding it. Our rows do not need it: the sweep re-sends the queued
    # rows of a dead or reconnected worker (lifecycle/sweep.py) and a duplicate claims nothing.
    # Without it a worker spends about a tenth less CPU per invocation and Redis a third less
    # (bench/RESULTS.md, issue 18). A clean shutdown still puts back what a worker had prefetched.
    CELERY_BROKER_TRANSPORT_OPTIONS["ack_emulation"] = False
CELERY_TASK_IGNORE_RESULT = True
# One result backend per process, not one per thread: the threads pool runs each call in its own
# thread, and building a backend per new thread cost the worker much of its CPU in a burst
# (bench/RESULTS.md, 2026-12-03). The Redis client and its connection pool are thread-safe.
CELERY_RESULT_BACKEND_THREAD_SAFE = True
CELERY_RESULT_EXPIRES = 600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.string("CELERY_QUEUE", "fcconsole")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Two different waits on the broker, kept apart (celery/kombu 5.x):
# - Sending (a web request, the sweep): a publish gets one connect attempt bounded by
#   CELERY_BROKER_CONNECTION_TIMEOUT in all (kombu's default_channel) and is not retried, so a
#   submit with Redis down costs about two seconds and leaves the row queued for the sweep.
# - Consuming (the worker) and scheduling (beat): BROKER_CONNECTION_MAX_RETRIES governs their
#   reconnect loop (celery.worker.consumer.Consumer.ensure_connected, beat's _ensure_connected);
#   None = forever, backing off 2, 4, 6 ... up to 30 s, logging each try. A worker must outlive any
#   Redis outage by itself: with 0 it logged "Unrecoverable error" and exited.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY = False
# The scheduler (`celery -A fcconsole beat`, its own process: never `worker -B`) keeps its
# schedule here.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Credential encryption --------------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: put the new key first,
# run `manage.py rotate_credentials`, then drop the old one). Left empty, invocations.crypto derives
# a development key from SECRET_KEY; production refuses to start without this variable (above).
FCCONSOLE_ENCRYPTION_KEYS = env.strings("FCCONSOLE_ENCRYPTION_KEYS")

# --- FC ------------------------------------------------------------------------------------
# Hosts a profile's endpoint override may point at (fnmatch patterns).
FC_ENDPOINT_ALLOWED_HOSTS = env.strings(
    "FC_ENDPOINT_ALLOWED_HOSTS", ["*.fc.aliyuncs.com", "127.0.0.1", "localhost"]
)
FCLOCAL_URL = env.string("FCLOCAL_URL", "http://127.0.0.1:9000")
FC_CONNECT_TIMEOUT = 5
# Seconds a sync call waits for FC when the caller set no timeout (`s invoke` waits 600 s too).
FC_DEFAULT_CLIENT_TIMEOUT = env.integer("FC_DEFAULT_CLIENT_TIMEOUT", 600)
FC_ASYNC_SEND_TIMEOUT = 30
# A row still running this long after its call timeout is declared unknown by the sweep.
FC_RUNNING_GRACE = env.integer("FC_RUNNING_GRACE", 60)
# Queued rows never handed to the queue are re-sent after this; sent ones after the second.
FC_RESEND_AFTER = env.integer("FC_RESEND_AFTER", 10)
FC_LOST_MESSAGE_AFTER = 900
# Seconds between two sweeps (invocations/lifecycle/sweep.py): it re-sends rows the queue never
# took and ends the rows of dead workers, so a dead worker's rows end within about
# FC_WORKER_DEAD_AFTER + FC_SWEEP_INTERVAL + FC_WORKER_HEARTBEAT.
FC_SWEEP_INTERVAL = env.integer("FC_SWEEP_INTERVAL", 10)
# Every worker writes its heartbeat (invocations.Worker, in PostgreSQL) every FC_WORKER_HEARTBEAT
# seconds; one silent for FC_WORKER_DEAD_AFTER is dead, and the sweep ends the rows it was running.
FC_WORKER_HEARTBEAT = env.integer("FC_WORKER_HEARTBEAT", 5)
FC_WORKER_DEAD_AFTER = env.integer("FC_WORKER_DEAD_AFTER", 30)
if FC_WORKER_DEAD_AFTER < 3 * FC_WORKER_HEARTBEAT:
    raise ImproperlyConfigured("FC_WORKER_DEAD_AFTER must be at least 3 times FC_WORKER_HEARTBEAT")
# Calls FC surely did not run (refused connection, throttled): tries per row, first backoff (s).
FC_RETRY_LIMIT = env.integer("FC_RETRY_LIMIT", 5)
FC_RETRY_BACKOFF = env.integer("FC_RETRY_BACKOFF", 2)
# Async tracking (invocations/lifecycle/tracking/): each function with tracked tasks gets one poll
# per FC_TRACK_INTERVAL seconds, and each poll is exactly one List call. Most polls read the head
# of the function's queue (where FC changes tasks), so a change there reaches its row within about
# one interval plus the poll's own time (bench async_tracking measures it against the 2 s target;
# bench/RESULTS.md has the figures). The beat's `expires` below is one interval.
FC_TRACK_INTERVAL = 1
# Every FC_TRACK_SWEEP_EVERY-th poll of a function reads the next page of the sweep over the rest
# of its tasks instead, so a change deep in the queue (a stop made outside the console, an
# out-of-order end) reaches its row within a full pass: about ceil(N / 100) * this many intervals
# for N unfinished tasks. Each sweep page costs that function one head poll; from 3 to 6 the
# delay's p95 moved less than run-to-run noise (bench/RESULTS.md, 2026-12-03): 4 keeps a pass short.
FC_TRACK_SWEEP_EVERY = 4
# An async task FC has neither listed nor found (Get) this many seconds after its send ends unknown.
FC_TRACK_UNSEEN_MAX = 600
# Threads of one worker process that may use the database at once (see invocations/lifecycle/db.py); kept
# under DB_POOL_SIZE so the worker's other threads (beat, tracking fan-out) still get a connection.
WORKER_DB_CONNECTIONS = env.integer("WORKER_DB_CONNECTIONS", 10)
CELERY_BEAT_SCHEDULE = {
    "sweep": {
        "task": "invocations.sweep",
        "schedule": float(FC_SWEEP_INTERVAL),
        "options": {"expires": FC_SWEEP_INTERVAL},
    },
    "track-async": {
        "task": "invocations.track_async",
        "schedule": float(FC_TRACK_INTERVAL),
        "options": {"expires": FC_TRACK_INTERVAL},
    },
    "prune-history": {"task": "audit.prune_history", "schedule": 3600.0, "options": {"expires": 3000}},
}
# Suites (suites/schedules.py): fires due schedules (a slot fires once, whatever the restarts) and
# gives finished runs their verdict. A schedule's slot is late by at most this many seconds.
SUITES_TICK_INTERVAL = env.integer("SUITES_TICK_INTERVAL", 15)
CELERY_BEAT_SCHEDULE["suites"] = {
    "task": "suites.tick",
    "schedule": float(SUITES_TICK_INTERVAL),
    "options": {"expires": SUITES_TICK_INTERVAL},
}

# --- Audit trail (audit/models.py has the design) ---------------------------------------------
# HMAC-SHA256 key signing every audit entry, chain link and digest: whoever can write the database
# without it cannot rewrite the trail unseen. Left empty, audit.keys derives a development key from
# SECRET_KEY; production refuses to start without it (above). Changing it makes the existing trail
# fail verification: keep it as long as the trail.
AUDIT_KEY = env.secret("AUDIT_KEY")
# Where signed digests of the chain head are appended (digests.jsonl): somewhere the database's
# users cannot write, shared by every host that runs the checkpoint task.
AUDIT_DIGEST_DIR = Path(env.string("AUDIT_DIGEST_DIR", str(VAR_DIR / "audit-digests")))
# Seconds between checkpoints (seal + digest). Entries written since the last one can be removed from
# the trail's end without trace until the next: this is that window. 0: no beat task (cron runs
# `manage.py audit_checkpoint` instead).
AUDIT_CHECKPOINT_INTERVAL = env.integer("AUDIT_CHECKPOINT_INTERVAL", 300)
if AUDIT_CHECKPOINT_INTERVAL > 0:
    CELERY_BEAT_SCHEDULE["audit-checkpoint"] = {
        "task": "audit.checkpoint",
        "schedule": float(AUDIT_CHECKPOINT_INTERVAL),
        "options": {"expires": AUDIT_CHECKPOINT_INTERVAL},
    }

# --- Mail and notifications (notifications/) -------------------------------------------------
# Django's mail backend: the console backend (mail printed to the process's output) unless set,
# e.g. django.core.mail.backends.smtp.EmailBackend with the EMAIL_* below. Tests use locmem.
EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.boolean("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "fcconsole <fcconsole@localhost>")
# Tries per notification (e-mail or webhook), and the first backoff between them in seconds
# (doubling, with jitter, up to NOTIFY_RETRY_CAP; invocations/fc/backoff.py).
NOTIFY_MAX_ATTEMPTS = env.integer("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_RETRY_BACKOFF = env.integer("NOTIFY_RETRY_BACKOFF", 2)
NOTIFY_RETRY_CAP = env.integer("NOTIFY_RETRY_CAP", 600)
NOTIFY_WEBHOOK_CONNECT_TIMEOUT = 5
NOTIFY_WEBHOOK_TIMEOUT = env.integer("NOTIFY_WEBHOOK_TIMEOUT", 10)
# Hosts a webhook may point at (fnmatch patterns); the default allows any. On a server that can
# reach internal services, list the receivers' hosts so a subscription cannot probe the rest.
NOTIFY_WEBHOOK_ALLOWED_HOSTS = env.strings("NOTIFY_WEBHOOK_ALLOWED_HOSTS", ["*"])

# --- REST framework ---------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its challenge makes anonymous API calls 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "invocations.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["invocations.api.permissions.HasConsoleRole"],
    "DEFAULT_SCHEMA_CLASS": "invocations.api.schema.ConsoleAutoSchema",
    "EXCEPTION_HANDLER": "invocations.api.errors.exception_handler",
    # JSON with a nesting cap (invocations/jsontext.py); forms and multipart as DRF has them.
    "DEFAULT_PARSER_CLASSES": [
        "invocations.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fcconsole API",
    "DESCRIPTION": "Invoke Function Compute functions and read the team's invocation history.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"PayloadEncodingEnum": ["utf-8", "base64"]},
}

# With DEBUG on (every non-production run) the 500 page shows settings, request META and frame
# locals: these mask passwords inside URLs and every configured secret (fcconsole/redaction.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "fcconsole.redaction.ConsoleExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "fcconsole.redaction.ConsoleExceptionReporter"

# Quiet where `make run` was noisy, never at WARNING and above: the beat's routine tasks (every
# FC_TRACK_INTERVAL) log no "due"/"received"/"succeeded" INFO lines, a 403 logs one line without
# PermissionDenied's traceback, and Django's own records go to the one console handler once (by
# default they also went to Django's DEBUG console handler: every line twice).
_ROUTINE_TASKS = ["invocations.track_async", "invocations.track_function", "invocations.sweep"]
# Celery's "received"/"succeeded" line for every task: at WARNING (the default) a worker skips
# building them (about 3 % of its CPU per invocation in a yappi profile, issue 18); every
# invocation's row already says when it ran and how it ended. INFO brings them back; a task's
# failure is logged at ERROR either way.
_TASK_LOG_LEVEL = env.string("WORKER_TASK_LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "routine_tasks": {"()": "fcconsole.logfilters.QuietRoutineTasks", "tasks": _ROUTINE_TASKS},
        "answered": {"()": "fcconsole.logfilters.AnsweredWithoutTraceback"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"filters": ["answered"]},
        "django.db.backends": {"level": "WARNING"},
        "celery.beat": {"filters": ["routine_tasks"]},
        "celery.worker.strategy": {"filters": ["routine_tasks"], "level": _TASK_LOG_LEVEL},
        "celery.app.trace": {"filters": ["routine_tasks"], "level": _TASK_LOG_LEVEL},
    },
}

# --- Content Security Policy (django-csp) --------------------------------------------------
# No inline script or style anywhere: htmx is served from static/, its indicator style is off
# (meta htmx-config in base.html) and lives in console.css. Enforced in production; elsewhere
# report-only, so a violation shows in the browser console without breaking the page.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    CONTENT_SECURITY_POLICY = _CSP
else:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production")
    if len(AUDIT_KEY) < 32 or len(set(AUDIT_KEY)) < 5:
        raise ImproperlyConfigured("AUDIT_KEY must be at least 32 random characters in production")
