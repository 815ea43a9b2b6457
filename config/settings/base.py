"""Settings shared by every environment. Everything that differs comes from the environment."""

from datetime import date
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE (container secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_secret("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_celery_beat",
    "ninja",
    "apps.core",
    "apps.sla",
    "apps.notifications",
    "apps.interruptions",
    "apps.escalations",
    "apps.audits",
    "apps.failures",
    "apps.calls",
    "apps.recovery",
    "apps.jobs",
    "apps.reports",
    "apps.webhooks",
    "apps.intake",
    "apps.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.core.admin_policy.AdminInlineStylesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers locked-out logins itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "apps.core.context_processors.navigation",
                "apps.core.context_processors.engine_warning",
                "apps.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks, write-ahead log.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # SQLite ignores covering indexes' extra columns (PostgreSQL's index-only plans need them)
    # and NULLS NOT DISTINCT; model validation still refuses a second matrix for the same
    # client, category and severity.
    SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "DATABASE_JIT", default=False
):
    # The portal's queries are short: PostgreSQL's JIT, switched on by an overestimated row
    # count, compiled for 100–150 ms to save a few.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A read replica (PostgreSQL streaming replication) serves the reads of exports and reports;
# every write, and every other read, stays on default (config/routers.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL") | {
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
READ_REPLICA = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["config.routers.ReadReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.core.backends.CachedPermissionsBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures from one user and address lock them out for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The locked-out user gets a page in the portal's layout saying for how long (still 429).
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# Exports and uploaded imports live in the default storage, shared by every web and worker
# machine: a directory (mount the same one everywhere), or any Django storage backend.
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("FILE_STORAGE_OPTIONS", default={})
        or {"location": env.str("FILE_STORAGE_DIR", default=str(VAR_DIR / "files"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content-Security-Policy: scripts and styles come from the portal's own static files only, so
# no inline <script>, no on* handler and no style attribute runs (htmx is told not to inject
# its indicator style). data: is for the small SVG images Bootstrap's CSS carries.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="portal@localhost")

# History: who made a change is taken from the request; services set it for tasks.
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
SIMPLE_HISTORY_REVERT_DISABLED = True
# Reasons are kept whole: a lead's override reason or a cancel reason may be long.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Celery -----------------------------------------------------------------------------
# Without REDIS_URL, an embedded broker on the file system: no service to install.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "broker"
# A broker that accepts connections but never answers must not hold a save for minutes:
# every socket operation gives up within a second (a healthy Redis answers in milliseconds;
# the rest of the two-second budget is headroom on a busy machine) and a failed publish is
# not retried (a retry would double the wait). What could not be sent stays in the outbox.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1.0,
    "socket_connect_timeout": 1.0,
    "max_retries": 0,
    "visibility_timeout": 3600,
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
# The queue tasks are published to, by web processes and by workers queueing follow-ups.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 120
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Who may reach what (permissions, roles, client ids, filter choices) is remembered across
# requests only in a cache every process shares, so a change seen by one is seen by all
# (apps/core/access.py); without Redis it is computed on every request.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "access": (
        {
            "BACKEND": "apps.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal-access",
            # A Redis that does not answer costs a page a fraction of a second, not minutes.
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    ),
}

# Sessions are read from that shared cache and written through to the database: a request
# needs no query for its session, and signing out (which deletes both) holds everywhere.
# Signed-cookie sessions would need none either, but could not be revoked server-side.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "access"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# /healthz gives its details (latencies, broker, errors) to staff and to callers sending this
# value in the X-Healthz-Token header; anyone else learns only up or down. Empty: staff only.
HEALTHZ_TOKEN = env_secret("HEALTHZ_TOKEN", default="")

# Absolute address of the portal, for links in e-mails.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://localhost:8000")

# Missed-call follow-up: a missed or dropped inbound call is called back within this many
# business minutes (of the client's calendar) of its end.
CALL_BACK_WITHIN_MINUTES = env.int("CALL_BACK_WITHIN_MINUTES", default=120)
# A maintenance window still marked under way this long after its planned end is an overrun:
# an audit finding, its lead told, and it stops holding clocks until a lead moves its end.
MAINTENANCE_OVERRUN_HOURS = env.int("MAINTENANCE_OVERRUN_HOURS", default=24)
# Outgoing webhooks: how long a receiver may take to answer, and for how long a failing
# delivery is retried before its subscription is paused.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
# The REST API: requests per personal token (a number per s, min, hour or day), counted in
# Redis when there is one (every server process shares the count), else in the process.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/min")
API_RATE_CACHE = "access" if REDIS_URL else "default"

# Every date and time the portal accepts (forms, filters, imports) lies between the start of
# this day and this many years from now: further out, it is a typing error, and the clock
# arithmetic beyond would fail.
PORTAL_EARLIEST_DATE = date.fromisoformat(env.str("PORTAL_EARLIEST_DATE", default="2000-01-01"))
PORTAL_LATEST_YEARS_AHEAD = env.int("PORTAL_LATEST_YEARS_AHEAD", default=5)

# Call imports: an upload larger than this is refused before it is read.
CALL_IMPORT_MAX_BYTES = env.int("CALL_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# The outbox publishes committed task messages from a background thread of each process, so
# no request waits for the broker (see apps/core/queueing.py).
OUTBOX_PUBLISH_IN_BACKGROUND = env.bool("OUTBOX_PUBLISH_IN_BACKGROUND", default=True)

# Figures of a list filtered by what the summaries do not keep (search, assignee, service…)
# are computed live in a second request; past this many seconds they show as "…".
LIVE_FIGURES_BUDGET = env.float("LIVE_FIGURES_BUDGET", default=1.0)

# --- Background jobs (exports, imports) ----------------------------------------------------
# A CSV export of more rows than this is built by a worker, with a progress page; XLSX always.
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=100_000)
# A history export of more records than this too (each record gives tens of rows).
HISTORY_EXPORT_BACKGROUND_RECORDS = env.int("HISTORY_EXPORT_BACKGROUND_RECORDS", default=5_000)
# A finished export or import report can be downloaded this long, then its file is deleted.
JOB_KEEP_HOURS = env.int("JOB_KEEP_HOURS", default=24)
# A running job whose worker has written no progress for this long is taken as dead: it is
# queued again (up to JOB_MAX_ATTEMPTS runs in all), then failed.
JOB_STALLED_MINUTES = env.int("JOB_STALLED_MINUTES", default=10)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
# One job may run this long (seconds) before the worker stops it.
JOB_TIME_LIMIT = env.int("JOB_TIME_LIMIT", default=3 * 3600)
# "Check only" of a file up to this size is answered in the request; larger, by a worker.
CALL_IMPORT_INLINE_CHECK_BYTES = env.int("CALL_IMPORT_INLINE_CHECK_BYTES", default=1024 * 1024)
