"""Settings for the QMS portal, read from the environment.

Two profiles:
- embedded (the default, no variables needed): SQLite, a file-system Celery broker and e-mail written
  to files, all under ``var/``; a secret key generated once into ``var/``.
- production (``QMS_ENV=production``): PostgreSQL, Redis and SMTP, and the five variables
  DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY and ALLOWED_HOSTS are required.

DATABASE_URL and REDIS_URL may also be set in the embedded profile (the test suite does, to run on
PostgreSQL and Redis).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

QMS_ENV = env.str("QMS_ENV", default="embedded")
if QMS_ENV not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"QMS_ENV must be 'embedded' or 'production', not {QMS_ENV!r}.")
PRODUCTION = QMS_ENV == "production"

VAR_DIR = Path(env.str("QMS_VAR_DIR", default=str(BASE_DIR / "var")))

PRODUCTION_REQUIRED = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS")
if PRODUCTION:
    missing = [name for name in PRODUCTION_REQUIRED if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "The production profile (QMS_ENV=production) needs these environment variables: "
            + ", ".join(missing)
            + ". See .env.example."
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A key generated once into var/ and reused, so sessions survive a restart."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Demo Manufacturing Ltd")
# The public feedback form: the largest attachment accepted (MB), and how many submissions (and, counted
# apart, status look-ups) one client address may make, as "count/period" with period s, m, h or d.
FEEDBACK_MAX_UPLOAD_MB = env.int("FEEDBACK_MAX_UPLOAD_MB", default=10)
FEEDBACK_PUBLIC_RATE = env.str("FEEDBACK_PUBLIC_RATE", default="10/h")
# Behind a reverse proxy that sets X-Forwarded-For, count public submissions per client, not per proxy.
FEEDBACK_TRUST_X_FORWARDED_FOR = env.bool("FEEDBACK_TRUST_X_FORWARDED_FOR", default=False)
# The dashboards serve stored figures at most this many seconds old (a job refreshes the default view).
KPI_DASHBOARD_MAX_AGE = env.int("KPI_DASHBOARD_MAX_AGE", default=600)
# The portal's own address, for links in e-mails sent by jobs (no request to take it from).
QMS_PORTAL_URL = env.str("QMS_PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # its index wrappers (OpClass) for the search indexes; harmless on SQLite
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "django_celery_results",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_countries",
    "qms.core",
    "qms.accounts",
    "qms.audit",
    "qms.actions",
    "qms.kpis",
    "qms.reviews",
    "qms.evidence",
    "customers",
    "requirements",
    "feedback",
    "risks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "qms.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qms.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qms.core.security.SessionTimeoutMiddleware",
    "qms.accounts.session_access.SessionAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qms.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"
ASGI_APPLICATION = "qms.asgi.application"

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
                "qms.core.context_processors.portal",
            ],
        },
    }
]

# Select boxes written in Python (qms/core/rendering.py), the rest through the templates above.
FORM_RENDERER = "qms.core.rendering.PortalFormRenderer"

# Database
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Lets two test runs share one server without sharing a test database.
    if env.str("TEST_DATABASE_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "qms.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                # The web server, the worker and beat write to one file: take the write lock at
                # the start of each transaction so none of them fails half-way with "locked".
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Redis: Celery broker, results, cache
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Short: rate limits and sign-in throttling fail open rather than hold a request on a stalled Redis.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
# A stalled Redis must never hang a web request: short socket timeouts, few retries.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 3,
    "socket_connect_timeout": 2,
    "max_retries": 2,
    "visibility_timeout": 3600,
}
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    _queue_dir = VAR_DIR / "celery" / "queue"
    _control_dir = VAR_DIR / "celery" / "control"
    if not PRODUCTION:
        _queue_dir.mkdir(parents=True, exist_ok=True)
        _control_dir.mkdir(parents=True, exist_ok=True)
    # kombu's file-system transport, writing messages atomically (see qms/core/broker.py).
    CELERY_BROKER_TRANSPORT = "qms.core.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 60 * 60 * 24 * 7
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# django-celery-beat's database scheduler that runs only while it holds a lock (qms/core/beat.py): a second
# beat started by mistake waits instead of sending every job twice.
CELERY_BEAT_SCHEDULER = "qms.core.beat:SingleBeatScheduler"
# Figures over whole registers (charts, work queues, home counts) are counted by a job this often; a page
# counts them itself when they are older than the maximum age (the job stopped).
# A list of a whole table larger than this shows PostgreSQL's estimate of its size ("about 2,000,000
# records") instead of counting every row on each page view.
LIST_EXACT_COUNT_UP_TO = env.int("LIST_EXACT_COUNT_UP_TO", default=100_000)
# A whole register's count (a list neither filtered nor restricted) of at least LIST_COUNT_CACHE_FROM rows is
# kept by each web process this many seconds (0: counted on every view): counting 50,000 customers cost more
# than the rest of the page. Adding or deleting a record forgets it in that process; the other processes
# count again when their copy runs out. A smaller register is counted on every view (it costs little).
LIST_COUNT_CACHE_SECONDS = env.int("LIST_COUNT_CACHE_SECONDS", default=10)
LIST_COUNT_CACHE_FROM = env.int("LIST_COUNT_CACHE_FROM", default=10_000)
# The records a list's filter offers every user alike (the active people, categories) are kept by each web
# process this many seconds (0: read on every view). A record saved in a process is seen there at once; the
# other processes see it when this runs out (qms/core/kept_choices.py).
FILTER_CHOICES_SECONDS = env.int("FILTER_CHOICES_SECONDS", default=10)
# A filtered list (a search, a status...) is counted exactly up to this many rows, and beyond it says "more
# than 10,000": counting every one of 300,000 complaints that mention "delivery" takes seconds.
LIST_COUNT_UP_TO = env.int("LIST_COUNT_UP_TO", default=10_000)
# A list searched for a word is counted up to this many ("more than 1,000"): a common word matches a sixth
# of two million complaints, and counting ten thousand of them was most of the page's time.
SEARCH_COUNT_UP_TO = env.int("SEARCH_COUNT_UP_TO", default=1_000)
ROLLUP_REFRESH_SECONDS = env.int("ROLLUP_REFRESH_SECONDS", default=300)
ROLLUP_MAX_AGE = env.int("ROLLUP_MAX_AGE", default=900)
CELERY_BEAT_SCHEDULE = {
    "deliver-outbox-every-minute": {
        "task": "qms.core.tasks.deliver_outbox",
        "schedule": 60,
        "options": {"expires": 50},
    },
    "send-survey-reminders-hourly": {
        "task": "feedback.tasks.send_survey_reminders",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 50},
    },
    "close-due-survey-campaigns-hourly": {
        "task": "feedback.tasks.close_due_campaigns",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 50},
    },
    "escalate-feedback-targets": {
        "task": "feedback.tasks.escalate_time_targets",
        "schedule": 60 * 15,
        "options": {"expires": 60 * 10},
    },
    "verify-audit-trail-nightly": {
        "task": "qms.audit.tasks.verify_audit_trail",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60 * 12},
    },
    "send-due-requirement-digests-daily": {
        "task": "requirements.tasks.send_due_requirement_digests",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60 * 12},
    },
    "send-action-digests-daily": {
        "task": "qms.actions.tasks.send_action_digests",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60 * 12},
    },
    "compute-kpis-nightly": {
        "task": "qms.kpis.tasks.compute_kpis",
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": 60 * 60 * 12},
    },
    "refresh-rollups-every-5-minutes": {
        "task": "qms.core.tasks.refresh_rollups",
        "schedule": ROLLUP_REFRESH_SECONDS,
        "options": {"expires": ROLLUP_REFRESH_SECONDS - 30},
    },
    "refresh-dashboard-every-10-minutes": {
        "task": "qms.kpis.tasks.refresh_dashboard",
        "schedule": 60 * 10,
        "options": {"expires": 60 * 9},
    },
    "relay-waiting-exports-every-5-minutes": {
        "task": "evidence.tasks.relay_waiting_exports",
        "schedule": 60 * 5,
        "options": {"expires": 60 * 4},
    },
    "send-risk-review-digests-daily": {
        "task": "risks.tasks.send_review_digests",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60 * 12},
    },
}

# E-mail
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="qms@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Embedded: serve straight from the source folders, no collectstatic step needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with "WWW-Authenticate: Token".
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["qms.accounts.permissions.EnginePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "qms.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "qms.core.schema.ErrorResponsesAutoSchema",
    "EXCEPTION_HANDLER": "qms.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QMS customer-focus portal API",
    "DESCRIPTION": "Registers, complaints, surveys, risks and evidence for ISO 9001 clause 5.1.2.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Django's database sessions, read with one plain statement (qms/accounts/sessions.py).
SESSION_ENGINE = "qms.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
# Idle timeout: a session unused this long expires (renewed at most once a minute by
# qms.core.security.SessionTimeoutMiddleware). Absolute timeout: signed out this long after sign-in.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=24 * 60 * 60)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Sign-in throttling (qms/accounts/throttling.py), counted in the cache: failures per username and per
# client address within a window; a success clears the username's count.
AUTHENTICATION_BACKENDS = ["qms.accounts.backends.PortalBackend"]  # throttled; permissions in one query
LOGIN_FAILURE_LIMIT_PER_USERNAME = env.int("LOGIN_FAILURE_LIMIT_PER_USERNAME", default=5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each rendering step at INFO; fontTools each subset.
    "loggers": {name: {"level": "WARNING"} for name in ("django.db.backends", "weasyprint", "fontTools")},
}

QMS_IMPORT_MAX_BYTES = 5 * 1024 * 1024
QMS_IMPORT_MAX_ROWS = 5000
QMS_REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
QMS_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
QMS_REQUIREMENT_PREFIX = env.str("QMS_REQUIREMENT_PREFIX", default="REQ")
