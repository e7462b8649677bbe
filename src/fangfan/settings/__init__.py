"""Default settings: the embedded setup (SQLite in a data directory, SqliteHuey).

Every value that differs between machines comes from the environment:
`DATABASE_URL`, `FANGFAN_DATA_DIR`, `FANGFAN_SECRET_KEY`, `FANGFAN_DEBUG`,
`FANGFAN_ALLOWED_HOSTS`, `FANGFAN_REDIS_URL` (queue). Production adds
`fangfan.settings.production` on top.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("FANGFAN_DATA_DIR", PACKAGE_DIR.parent.parent / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key(data_dir: Path) -> str:
    """FANGFAN_SECRET_KEY, else a key generated once into the data directory (mode 0600)
    and read back on every start: sessions and reset links survive a restart, and no
    two installations share a key. O_EXCL makes two processes starting together agree."""
    if key := os.environ.get("FANGFAN_SECRET_KEY"):
        return key
    path = data_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    from django.core.management.utils import get_random_secret_key

    key = get_random_secret_key()
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key


SECRET_KEY = _secret_key(DATA_DIR)
# Off unless asked for (FANGFAN_DEBUG=1): `make run` is how a school or bureau runs the
# embedded setup, where a wrong address must show the app's 404 page, not the URL list.
DEBUG = os.environ.get("FANGFAN_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("FANGFAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huey.contrib.djhuey",
    "django_prometheus",
    "fangfan.core",
    "fangfan.resources",
    "fangfan.organisation",
    "fangfan.inspections",
    "fangfan.emergency",
    "fangfan.alerts",
    "fangfan.incidents",
    "fangfan.duty",
    "fangfan.concerns",
    "fangfan.information",
    "fangfan.patrols",
    "fangfan.gate",
    "fangfan.documents",
    "fangfan.standards",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fangfan.core.operations.RequestLogMiddleware",
    "fangfan.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "fangfan.core.twofactor.SecondFactorMiddleware",
    "fangfan.core.middleware.SessionTimeoutMiddleware",
    "fangfan.core.middleware.UserLanguageMiddleware",
    "fangfan.core.limits.BodyLimitMiddleware",
    "fangfan.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "fangfan.urls"
WSGI_APPLICATION = "fangfan.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fangfan.core.context_processors.shell",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'fangfan.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=60)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
        # Connections are kept (60 s, like PostgreSQL's): opening one with its pragmas
        # was a sixth of a request (docs/benchmarks.md). `fangfan restore` writes through
        # SQLite's backup API, so kept connections see the restored database.
        # Writers queue on a lock that hands over at once (core.sqlite).
        db["ENGINE"] = "fangfan.core.sqlite"
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
            " PRAGMA foreign_keys=ON;",
        }
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# One date style per language, named in templates (fangfan/formats, docs/architecture.md).
FORMAT_MODULE_PATH = ["fangfan.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The embedded setup serves the packaged files directly (no collectstatic step); a
# deployment that runs collectstatic may turn this off.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# A shared volume when several app servers run (docs/deploy.md).
EVIDENCE_ROOT = Path(os.environ.get("FANGFAN_EVIDENCE_ROOT", DATA_DIR / "evidence"))
# Or S3-compatible object storage (MinIO, Ceph RGW, a cloud's S3 API) through
# django-storages (`pip install 'fangfan[s3]'`); EVIDENCE_ROOT then only stages uploads.
if os.environ.get("FANGFAN_S3_BUCKET"):
    STORAGES["evidence"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ["FANGFAN_S3_BUCKET"],
        "endpoint_url": os.environ.get("FANGFAN_S3_ENDPOINT") or None,
        "region_name": os.environ.get("FANGFAN_S3_REGION") or None,
        "access_key": os.environ.get("FANGFAN_S3_ACCESS_KEY") or None,
        "secret_key": os.environ.get("FANGFAN_S3_SECRET_KEY") or None,
        "location": os.environ.get("FANGFAN_S3_PREFIX", "evidence"),
        "addressing_style": os.environ.get("FANGFAN_S3_ADDRESSING", "path"),
        "default_acl": None,
        "file_overwrite": True,  # names are content hashes: same name, same bytes
    }}
# Evidence files: at most this size, and of a kind core.evidence sniffs from the content.
EVIDENCE_MAX_BYTES = int(os.environ.get("FANGFAN_EVIDENCE_MAX_MB", "20")) * 1024 * 1024
# One import is validated whole before anything is written: bounded in rows and bytes.
IMPORT_MAX_ROWS = int(os.environ.get("FANGFAN_IMPORT_MAX_ROWS", "5000"))
IMPORT_MAX_BYTES = int(os.environ.get("FANGFAN_IMPORT_MAX_MB", "5")) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body beyond this (a form's fields or an API body; uploaded files do not count)
# is answered 413 with a message (core.limits.BodyLimitMiddleware, core.parsers).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FANGFAN_MAX_BODY_BYTES", 2 * 1024 * 1024))
# A whole upload (a form with its files: a hazard and its photos) beyond this is answered
# 413 before Django reads a byte of it to temporary disk. One evidence file is at most
# EVIDENCE_MAX_BYTES; a form takes a few.
MAX_UPLOAD_BYTES = int(os.environ.get("FANGFAN_MAX_UPLOAD_MB", "60")) * 1024 * 1024

# Sessions end after 2 hours without a request or 12 hours after signing in, whichever
# comes first, and when the browser closes: school PCs are shared (SessionTimeoutMiddleware).
SESSION_IDLE_SECONDS = int(os.environ.get("FANGFAN_SESSION_IDLE_MINUTES", "120")) * 60
SESSION_MAX_SECONDS = int(os.environ.get("FANGFAN_SESSION_MAX_HOURS", "12")) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content security policy: everything is served from this origin (vendored assets).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Counters that every server process must share (the token endpoint's throttle): the
# database by default (its table is made by a core migration), Redis when configured.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                      "LOCATION": "fangfan_cache"}}
if os.environ.get("FANGFAN_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["FANGFAN_REDIS_URL"],
                          "KEY_PREFIX": "fangfan"}}

# Reverse proxies in front of the app (each adds X-Forwarded-For): the client address that
# login lockout and throttles count is then the one the outermost proxy saw.
PROXY_COUNT = int(os.environ.get("FANGFAN_PROXY_COUNT", "0"))

# Login throttling (15 minutes): 5 failures lock a user name at an address; 50 failures
# from one address lock the address whatever names it tries (a school's staff share one
# address behind its router, so that limit is higher; LockoutHandler).
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("FANGFAN_ADDRESS_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "fangfan.core.authentication.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "fangfan.core.authentication.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fangfan.core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["fangfan.core.apiquery.StrictFilterBackend"],
    # The API speaks JSON (the token endpoint also takes a form, core.api.TokenView).
    "DEFAULT_PARSER_CLASSES": ["fangfan.core.parsers.LimitedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "fangfan.core.apiquery.StrictPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
    "NUM_PROXIES": PROXY_COUNT or None,
    "EXCEPTION_HANDLER": "fangfan.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fangfan API",
    "DESCRIPTION": "Records of counter-terrorism prevention work, scoped to the caller's units.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "fangfan.core.openapi.document_refusals"],
    # Choice sets used by several record types get one name of their own.
    "ENUM_NAME_OVERRIDES": {
        "InspectionKindEnum": "fangfan.inspections.models.InspectionKind.choices",
        "UnitKindEnum": "fangfan.core.models.units.UnitKind.choices",
        "StageEnum": "fangfan.core.models.units.Stage.choices",
        "RequestStatusEnum": "fangfan.core.models.changes.RequestStatus.choices",
    },
}

# API tokens (django-rest-knox): stored hashed, one per client, expiring after 30 days;
# revoked by DELETE /api/auth/token/ and all at once when the password changes.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("FANGFAN_TOKEN_DAYS", "30"))),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": 20,
}

DJANGO_TABLES2_TEMPLATE = "records/table.html"
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

HUEY = {
    "huey_class": "fangfan.core.queue.SqliteQueue",
    "name": "fangfan",
    "filename": str(DATA_DIR / "queue.sqlite3"),
    "timeout": 20,  # as the database's: a busy queue waits instead of failing a request
    "immediate": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if os.environ.get("FANGFAN_REDIS_URL"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "fangfan",
        "url": os.environ["FANGFAN_REDIS_URL"],
        "immediate": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }

# FANGFAN_LOG_FORMAT=json (production's default): one JSON object a line, with the
# request log's fields (core.operations.RequestLogMiddleware) as keys.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "[%(asctime)s] %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                 "datefmt": "%Y-%m-%dT%H:%M:%S%z",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                 "json_ensure_ascii": False},
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": os.environ.get("FANGFAN_LOG_FORMAT", "text")}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # `run_huey` adds a handler of its own to a "huey" logger that has none, which printed
    # every worker line twice (there and through the root); configured here, it adds none.
    "loggers": {"fangfan": {"level": "INFO"},
                "huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# /metrics (core.operations): with a token, only "Authorization: Bearer <token>"; without,
# only direct connections from these addresses or networks.
FANGFAN_METRICS_TOKEN = os.environ.get("FANGFAN_METRICS_TOKEN", "")
FANGFAN_METRICS_ALLOW = [n.strip() for n in os.environ.get(
    "FANGFAN_METRICS_ALLOW", "127.0.0.1,::1").split(",") if n.strip()]

FANGFAN_AREAS = [
    ("org", _("Organisation")),
    ("res", _("People and resources")),
    ("std", _("Standards and compliance")),
    ("ops", _("Daily operations")),
    ("ins", _("Inspections and hazards")),
    ("emg", _("Alerts and emergencies")),
    ("inf", _("Information and training")),
    ("sys", _("System")),
]
# Pages of an area besides its record lists: (url name, label, record type needed to view).
FANGFAN_AREA_PAGES = {
    "sys": [("accounts-manage", _("Accounts and roles"), "fangfan.core.accounts.may_manage"),
            ("audit-log", _("Audit log"), "fangfan.core.permissions.can_read_audit"),
            ("api-docs", _("API documentation"), "fangfan.core.permissions.administers")],
    "org": [("duty-matrix", _("Duty matrix"), "bodies"),
            ("documents", _("Documents"), "bodies")],
    "std": [("compliance", _("Compliance"), "compliance-results"),
            ("calendar", _("Obligation calendar"), "obligations")],
    "ins": [("hazard-board", _("Hazard board"), "hazards"),
            ("hazard-ledgers", _("Hazard ledgers"), "hazards")],
    "emg": [("alerts-in-force", _("Alert levels in force"), "unit-alerts")],
    "ops": [("patrol-home", _("Patrol"), "patrol-routes")],
}

# Days after its deadline before an open hazard is escalated to the supervising
# authority (inspections.escalation); a major hazard is escalated at once.
FANGFAN_HAZARD_GRACE_DAYS = int(os.environ.get("FANGFAN_HAZARD_GRACE_DAYS", "3"))

# The nightly evaluation reuses the facts each unit's evaluation kept of the families
# that read no clock (people, assets, locations…); a unit's records are read again at
# least every this many days (a rolling share each night), whatever wrote them
# (standards.engine.evaluate_subtree). 1: every night.
FANGFAN_FACTS_REREAD_DAYS = int(os.environ.get("FANGFAN_FACTS_REREAD_DAYS", "7"))

# Hours after an alert level is issued (or changed) before a unit that has not
# acknowledged it is reminded; after twice as long its authority is told (alerts).
FANGFAN_ALERT_ACK_HOURS = float(os.environ.get("FANGFAN_ALERT_ACK_HOURS", "2"))

# Under alert level I the guards patrol around the clock: no more than this many hours
# between two patrol scans of the unit (patrols' fact alert_patrol_gap_hours, the seed
# pack's alert-patrols and measure 14 of the alert checklist).
FANGFAN_ALERT_PATROL_GAP_HOURS = float(os.environ.get("FANGFAN_ALERT_PATROL_GAP_HOURS", "2"))

# A requirement that becomes unmet for a unit raises one hazard there, closed by the
# system when the requirement is met again (inspections.gaps, SPEC STD-5). Off: no
# hazards are raised or closed by compliance results.
FANGFAN_GAP_HAZARDS = os.environ.get("FANGFAN_GAP_HAZARDS", "1") not in ("0", "false", "")

# Two-factor sign-in (core.twofactor): required for these roles (any superuser too),
# optional for the others. Empty: nobody is required.
FANGFAN_TWO_FACTOR_ROLES = tuple(
    r for r in os.environ.get("FANGFAN_TWO_FACTOR_ROLES", "system_admin,supervisor")
    .split(",") if r)
OTP_TOTP_ISSUER = "Fangfan 防范"

# Notifications (core.notify, docs/notifications.md). E-mail goes through an SMTP server
# when FANGFAN_EMAIL_HOST is set; without one, each message is written as a file under
# <data dir>/mail, so a development machine sends nothing.
if os.environ.get("FANGFAN_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["FANGFAN_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("FANGFAN_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("FANGFAN_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("FANGFAN_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("FANGFAN_EMAIL_SECURITY", "starttls") == "starttls"
    EMAIL_USE_SSL = os.environ.get("FANGFAN_EMAIL_SECURITY", "starttls") == "ssl"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("FANGFAN_EMAIL_FROM", "fangfan@localhost")
# The address of the site as users open it (https://fangfan.example.edu.cn): links in
# e-mails and robot messages start with it. Empty: messages carry no link.
FANGFAN_BASE_URL = os.environ.get("FANGFAN_BASE_URL", "")
# Networks that group-robot addresses may point into although they are private
# (comma-separated, e.g. "10.0.0.0/8,192.168.10.5"), for robots reached on an intranet.
# Empty: only public internet addresses.
FANGFAN_WEBHOOK_ALLOW_PRIVATE = [
    n.strip() for n in os.environ.get("FANGFAN_WEBHOOK_ALLOW_PRIVATE", "").split(",")
    if n.strip()]
