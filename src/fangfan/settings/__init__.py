"""Default settings: the embedded setup (SQLite in a data directory, SqliteHuey).

Every value that differs between machines comes from the environment:
`DATABASE_URL`, `FANGFAN_DATA_DIR`, `FANGFAN_SECRET_KEY`, `FANGFAN_DEBUG`,
`FANGFAN_ALLOWED_HOSTS`, `FANGFAN_REDIS_URL` (queue). Production adds
`fangfan.settings.production` on top.
"""
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("FANGFAN_DATA_DIR", PACKAGE_DIR.parent.parent / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("FANGFAN_SECRET_KEY", "dev-only-not-secret-" + "x" * 40)
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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "csp",
    "axes",
    "huey.contrib.djhuey",
    "fangfan.core",
    "fangfan.resources",
    "fangfan.organisation",
    "fangfan.documents",
    "fangfan.standards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fangfan.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fangfan.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
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
        db["CONN_MAX_AGE"] = 0
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
EVIDENCE_ROOT = DATA_DIR / "evidence"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

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

# Login throttling: 5 failures lock the username+address pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
    "EXCEPTION_HANDLER": "fangfan.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fangfan API",
    "DESCRIPTION": "Records of counter-terrorism prevention work, scoped to the caller's units.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

DJANGO_TABLES2_TEMPLATE = "records/table.html"
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "fangfan",
    "filename": str(DATA_DIR / "queue.sqlite3"),
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timed": {"format": "[%(asctime)s] %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "timed"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # `run_huey` adds a handler of its own to a "huey" logger that has none, which printed
    # every worker line twice (there and through the root); configured here, it adds none.
    "loggers": {"fangfan": {"level": "INFO"},
                "huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

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
}
