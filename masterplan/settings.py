"""Sachstand settings: one module, driven by environment variables with embedded defaults.

Without any environment the project runs for development on SQLite and a file-system
Celery broker, so `make run` needs no servers. Production sets DATABASE_URL,
CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS (see `.env.example`).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from masterplan.directory_config import directory_settings
from masterplan.security import origins_parse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SACHSTAND_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_filters",
    "django_htmx",
    "import_export",
    "axes",
    "masterplan",
    "measures",
    "kpis",
    "rounds",
    "transfer",
    "reports",
    "public",
    "opendata",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "masterplan.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "masterplan.urls"
WSGI_APPLICATION = "masterplan.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server and worker write to the same file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file, not :memory:, so a Celery worker process started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates as "25 Nov 2026" (masterplan/formats/en/formats.py); German: "25.11.2026".
FORMAT_MODULE_PATH = ["masterplan.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# Sign-in: django-axes first (it refuses a locked-out account or address before any password is
# checked, and counts failures), then the city's directory when LDAP_SERVER_URI is set, then
# Sachstand's own accounts (demo, break-glass admin). The LDAP_* variables and the mapping of
# directory groups to roles: masterplan/directory_config.py and masterplan/directory.py.
globals().update(directory_settings(os.environ))

# Failed sign-ins (django-axes, masterplan/lockout.py): after LOGIN_FAILURE_LIMIT failures for
# one account, or LOGIN_FAILURE_LIMIT_PER_ADDRESS from one address (higher: a whole town hall may
# share one address), sign-in is refused for LOGIN_LOCKOUT_MINUTES (0: until an admin unlocks).
# Behind LOGIN_PROXY_COUNT reverse proxies the address is read from X-Forwarded-For.
AXES_ENABLED = env_bool("LOGIN_LOCKOUT_ENABLED", default=True)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0)
AXES_HANDLER = "masterplan.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES) if LOGIN_LOCKOUT_MINUTES > 0 else None
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "masterplan.lockout.client_address"
AXES_USERNAME_CALLABLE = "masterplan.lockout.attempted_username"
AXES_LOCKOUT_CALLABLE = "masterplan.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # no start-up banner on every manage.py command
# The log names the account and address of every attempt (never the password).
AXES_SENSITIVE_PARAMETERS = []

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Media (report PDFs, uploaded import files) stay on this host's disk unless MEDIA_S3_BUCKET
# names a bucket of an S3-compatible object store (MinIO, Ceph, a cloud): then every web and
# worker host reads and writes the same files. Either way files reach a reader only through
# the app's permission-checked views (`masterplan.media`); the bucket stays private.


def media_storage() -> dict:
    """STORAGES["default"] from the environment (a function: tests switch to a bucket)."""
    bucket = env_str("MEDIA_S3_BUCKET")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": env_str("MEDIA_S3_PREFIX").strip("/"),
            # Blank: the AWS endpoint of the region; MinIO/Ceph: their URL.
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": env_str("MEDIA_S3_REGION") or None,
            # Blank: boto3's own chain (AWS_ACCESS_KEY_ID…, an instance role).
            "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            # "path" for most MinIO/Ceph set-ups, "virtual" for AWS; blank: boto3 decides.
            "addressing_style": env_str("MEDIA_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own (private) policy, never public-read
            "querystring_auth": True,  # a URL, if ever made, is signed …
            "querystring_expire": 60,  # … and short-lived
            "file_overwrite": True,  # a rebuilt report replaces its file (one PUT, atomic)
            # Reading a file spools it to disk above this size instead of keeping it in memory.
            "max_memory_size": env_int("MEDIA_S3_MAX_MEMORY_SIZE", 2 * 1024 * 1024),
        },
    }


STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Celery. Without CELERY_BROKER_URL a file-system broker is used: a real worker process
# consumes it, but no server is needed.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND",
    CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else f"file://{VAR_DIR / 'celery' / 'results'}",
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    for _folder in (_queue_dir, VAR_DIR / "celery" / "processed", VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
# Publishing a job must answer within seconds when the broker is down: short connection
# timeouts and one quick retry; the job row stays queued and the watch re-sends it.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
        "socket_timeout": 10,
    }
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process using more than this (KiB) after a task is replaced by a fresh one.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 1024 * 1024)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# Deadlines of the jobs a user starts (reports, imports), in seconds; see masterplan/jobs.py.
# Every JOB_WATCH_INTERVAL the watch tasks re-send a job not started JOB_RESEND_AFTER after it
# was sent (or never sent: broker down), re-queue a job running past JOB_RUN_DEADLINE (its
# process died) up to JOB_MAX_ATTEMPTS times, and fail a job waiting past JOB_QUEUE_DEADLINE.
JOB_WATCH_INTERVAL = env_int("JOB_WATCH_INTERVAL", 60)
JOB_RESEND_AFTER = env_int("JOB_RESEND_AFTER", 120)
JOB_RUN_DEADLINE = env_int("JOB_RUN_DEADLINE", CELERY_TASK_TIME_LIMIT + 60)
JOB_QUEUE_DEADLINE = env_int("JOB_QUEUE_DEADLINE", 30 * 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)

CELERY_BEAT_SCHEDULE = {
    "round-reminders": {
        "task": "rounds.tasks.send_round_reminders_task",
        "schedule": crontab(hour=env_int("REMINDER_HOUR", 7), minute=0),
    },
    "reports-watch": {
        "task": "reports.tasks.watch_reports_task",
        "schedule": JOB_WATCH_INTERVAL,
        "options": {"expires": JOB_WATCH_INTERVAL},
    },
    "imports-watch": {
        "task": "transfer.tasks.watch_imports_task",
        "schedule": JOB_WATCH_INTERVAL,
        "options": {"expires": JOB_WATCH_INTERVAL},
    },
    # The text of newly published reports for OParl, read before anyone asks for it.
    "opendata-read-report-files": {
        "task": "opendata.tasks.read_report_files_task",
        "schedule": JOB_WATCH_INTERVAL,
        "options": {"expires": JOB_WATCH_INTERVAL},
    },
}
# Reporting rounds (rounds.reminders): days before the update deadline the editors are reminded,
# days after it the programme office hears what is missing, days before the review deadline the
# leads are reminded.
ROUND_REMINDER_DAYS_BEFORE = [int(d) for d in env_list("ROUND_REMINDER_DAYS_BEFORE", "7,2")]
ROUND_ESCALATION_DAYS_AFTER = env_int("ROUND_ESCALATION_DAYS_AFTER", 3)
ROUND_REVIEW_REMINDER_DAYS_BEFORE = [
    int(d) for d in env_list("ROUND_REVIEW_REMINDER_DAYS_BEFORE", "2")
]

# E-mail: the console backend unless configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sachstand@localhost")
# The address people reach Sachstand at, for the links in e-mails (no request to read it from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Open data (opendata/: DCAT-AP.de catalogue, KPI downloads) and the council-system interface
# (OParl 1.1). Only public programmes and published reports; see opendata/README.md.
# The publisher as harvesters (GovData, Open.NRW) name it; empty: the programme's organisation.
OPENDATA_PUBLISHER_NAME = env_str("OPENDATA_PUBLISHER_NAME")
# A URI identifying the publisher (e.g. its GovData organisation page); empty: the site's.
OPENDATA_PUBLISHER_URI = env_str("OPENDATA_PUBLISHER_URI")
# The public contact point (a functional mailbox, never a person's own address).
OPENDATA_CONTACT_NAME = env_str("OPENDATA_CONTACT_NAME")
OPENDATA_CONTACT_EMAIL = env_str("OPENDATA_CONTACT_EMAIL")
# Where the data apply, from the DCAT-AP.de vocabulary: a city sets its municipality key,
# e.g. http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05913000 (Dortmund).
OPENDATA_POLITICAL_GEOCODING_URI = env_str(
    "OPENDATA_POLITICAL_GEOCODING_URI", "http://dcat-ap.de/def/politicalGeocoding/stateKey/05"
)
# Empty: derived from the geocoding URI (stateKey → state, municipalityKey → municipality, …).
OPENDATA_POLITICAL_GEOCODING_LEVEL_URI = env_str("OPENDATA_POLITICAL_GEOCODING_LEVEL_URI")
# The licence of the data, the reports' metadata and files (OParl `license`).
OPENDATA_LICENSE_URI = env_str(
    "OPENDATA_LICENSE_URI", "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
)
# The attribution the licence asks for (Datenlizenz Deutschland – Namensnennung); empty: the
# publisher's name.
OPENDATA_LICENSE_ATTRIBUTION = env_str("OPENDATA_LICENSE_ATTRIBUTION")
# GovData's id of the harvesting portal (dcatde:contributorID), if it assigned one.
OPENDATA_CONTRIBUTOR_ID = env_str("OPENDATA_CONTRIBUTOR_ID")
OPENDATA_KEYWORDS = env_list(
    "OPENDATA_KEYWORDS", "Digitalisierung,Verwaltungsmodernisierung,Kennzahlen,Sachstand"
)
# The site people read, as OParl's System.website and the catalogue's homepage; empty: SITE_URL.
OPENDATA_WEBSITE_URL = env_str("OPENDATA_WEBSITE_URL")
# The name of the OParl System and the type of paper a status report is (OParl `paperType`).
OPARL_SYSTEM_NAME = env_str("OPARL_SYSTEM_NAME", "Sachstand")
OPARL_PAPER_TYPE = env_str("OPARL_PAPER_TYPE", "Mitteilung")
# Objects per OParl list page (a client may ask for fewer with `limit`).
OPARL_PAGE_SIZE = env_int("OPARL_PAGE_SIZE", 50)

# Imports larger than this are refused before they are read.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Imports up to this size are checked and applied in the request; larger ones by a worker.
IMPORT_INLINE_MAX_BYTES = env_int("IMPORT_INLINE_MAX_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024
# What a file may hold, checked before it is unpacked or kept (transfer/sources.py): the
# unpacked size of an XLSX, rows and columns with content per sheet, characters per cell.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 50)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 32_767)
# A refused file lists this many errors and counts the rest.
IMPORT_MAX_LISTED_ERRORS = env_int("IMPORT_MAX_LISTED_ERRORS", 300)
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# Security headers (masterplan/security.py). The Content-Security-Policy allows this origin
# only: no inline scripts, styles or event handlers, no eval, no framing. Exceptions are made
# per view through masterplan.security (frame_ancestors_allow / embeddable), nowhere else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
# Optional: where browsers report violations (one URL; it ends up inside the header).
# (Not a setting of its own: django-csp takes every CSP_* setting for its old format.)
_csp_report_uri = env_str("CSP_REPORT_URI").strip()
if _csp_report_uri:
    if any(character in _csp_report_uri for character in " ;,'\""):
        raise ImproperlyConfigured(f"CSP_REPORT_URI must be one URL, got {_csp_report_uri!r}")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [_csp_report_uri]
# Origins that may frame the public embed page (space separated: "https://www.dortmund.de").
PUBLIC_EMBED_ORIGINS = origins_parse(env_str("PUBLIC_EMBED_ORIGINS"))
SECURE_REFERRER_POLICY = env_str("SECURE_REFERRER_POLICY", "same-origin")
# Browser features no page of Sachstand uses, switched off for every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Production runs behind a TLS-terminating proxy that sets X-Forwarded-Proto (and overwrites
# whatever the client sent). HTTPS is enforced with safe defaults; each can be turned off by
# its variable for a setup that needs it (see .env.example; `check --deploy` warns then).
# Public site (/oeffentlich/, app `public`). Rendered pages are kept in Django's cache, keyed by
# the public data version (public/cache.py), at most this many seconds.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 600)
# The accessibility statement (BITV 2.0, §10b BGG NRW): who answers feedback, and how far the
# site conforms. The texts are the city's; every one can be set without touching code.
PUBLIC_ACCESSIBILITY_BODY = env_str("PUBLIC_ACCESSIBILITY_BODY", "Stadt Dortmund")
PUBLIC_ACCESSIBILITY_CONTACT = env_str(
    "PUBLIC_ACCESSIBILITY_CONTACT", "Stadt Dortmund, Dortmunder Systemhaus, 44122 Dortmund"
)
PUBLIC_ACCESSIBILITY_EMAIL = env_str("PUBLIC_ACCESSIBILITY_EMAIL", "barrierefreiheit@example.org")
PUBLIC_ACCESSIBILITY_PHONE = env_str("PUBLIC_ACCESSIBILITY_PHONE", "")
# "full" or "partial" (BITV 2.0 wording: "vollständig" / "teilweise vereinbar").
PUBLIC_ACCESSIBILITY_CONFORMANCE = env_str("PUBLIC_ACCESSIBILITY_CONFORMANCE", "full")
PUBLIC_ACCESSIBILITY_KNOWN_ISSUES = env_str("PUBLIC_ACCESSIBILITY_KNOWN_ISSUES", "")
PUBLIC_ACCESSIBILITY_REVIEWED = env_str("PUBLIC_ACCESSIBILITY_REVIEWED", "2026-11-25")
PUBLIC_ACCESSIBILITY_ENFORCEMENT = env_str(
    "PUBLIC_ACCESSIBILITY_ENFORCEMENT",
    "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen bei der "
    "Beauftragten der Landesregierung für Menschen mit Behinderung",
)
PUBLIC_ACCESSIBILITY_ENFORCEMENT_URL = env_str("PUBLIC_ACCESSIBILITY_ENFORCEMENT_URL", "")
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    if env_bool("SECURE_PROXY_SSL_HEADER", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Personal data (masterplan/privacy.py, masterplan/retention.py, docs/datenschutz.md).
# Show everyone but admins pseudonyms instead of the names of who changed, entered, approved or
# requested something (LPVG NRW §72: the staff council co-determines).
PSEUDONYMISE_NAMES = env_bool("PSEUDONYMISE_NAMES", default=False)
# Login records and e-mail logs older than this many days are deleted or anonymised daily at
# RETENTION_HOUR by masterplan.tasks.prune_personal_data_task.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 90)
if PERSONAL_DATA_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("PERSONAL_DATA_RETENTION_DAYS must be at least 1.")
# What the retention prunes: (model, date field, what to do with a row older than the limit):
# "delete" the row, or "clear" the date field (the row stays: a user without a last login).
# Models not installed are skipped (axes' come with the lockout).
PERSONAL_DATA_RETENTION = [
    ("rounds.Notification", "sent_at", "delete"),
    ("auth.User", "last_login", "clear"),
    ("axes.AccessAttempt", "attempt_time", "delete"),
    ("axes.AccessFailureLog", "attempt_time", "delete"),
    ("axes.AccessLog", "attempt_time", "delete"),
]
CELERY_BEAT_SCHEDULE["personal-data-retention"] = {
    "task": "masterplan.tasks.prune_personal_data_task",
    "schedule": crontab(hour=env_int("RETENTION_HOUR", 3), minute=30),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every laid-out page at INFO; keep its warnings only.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}


# Read API (app `api`, see api/README.md): read-only, anonymous callers get public data,
# staff authenticate with a personal token (or their session, for the docs page).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sachstand API",
    "DESCRIPTION": (
        "Read-only API of Sachstand. Without a token: the public programmes as the public site "
        "shows them. With a personal token (Authorization: Bearer …): what your role may read."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "masterplan.models.Level",
        "TimeframeEnum": "masterplan.models.Timeframe",
        "QuickWinEnum": "masterplan.models.QuickWin",
        "TrafficLightEnum": "measures.models.TrafficLight",
    },
}
