"""Django settings, in the package so the CLI and the web app share one database.

SQLite in the user's data folder by default (WAL mode, immediate transactions and a busy
timeout, so two processes writing at once wait for each other instead of failing);
`PSOAS_DATABASE_URL` selects another database, PostgreSQL included.

`PSOAS_MODE=clinic` switches on clinic mode (docs/clinic.md): many people with accounts,
staff with a second factor, and every query of a person's rows scoped to who asks. It runs
on PostgreSQL only. The clinic app is installed in both modes, so its tables exist
everywhere and tests can flip the setting.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import platformdirs

from psoas.web.logs import log_format, logging_config

BASE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    return Path(os.environ.get("PSOAS_DATA_DIR") or platformdirs.user_data_dir("psoas"))


def database_from_url(url: str | None) -> dict:
    """A Django DATABASES entry from a URL: sqlite:///path or postgresql://user:pw@host/db."""
    if not url:
        path = data_dir() / "psoas.sqlite3"
        return _sqlite(path)
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return _sqlite(Path(unquote(parsed.path)))
    if parsed.scheme in ("postgres", "postgresql"):
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ValueError(
        f"database URL: scheme '{parsed.scheme}' is not supported; use sqlite:///PATH "
        "or postgresql://USER:PASSWORD@HOST:PORT/NAME"
    )


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # Each server thread keeps its connection: opening one (and setting WAL) costs more
        # than most page views.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


SECRET_KEY = os.environ.get("PSOAS_SECRET_KEY", "psoas-local-only-not-a-secret")
DEBUG = False
# Behind an HTTPS reverse proxy (`psoas serve --behind-https-proxy https://HOST`, or this
# variable): the public origin the browser sees. The proxy must send X-Forwarded-Proto.
HTTPS_ORIGIN = os.environ.get("PSOAS_BEHIND_HTTPS_PROXY", "").rstrip("/")
# Loopback only unless `psoas serve --host` names another address (it sets this).
ALLOWED_HOSTS = [
    h for h in os.environ.get("PSOAS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h
]
# On loopback the one local person needs no account; bound to any other address, or behind
# a proxy (which reaches the app from loopback for everyone), every page and API route asks
# for a login (psoas/web/site/middleware.py).
REQUIRE_LOGIN = os.environ.get("PSOAS_REQUIRE_LOGIN") == "1" or bool(HTTPS_ORIGIN)
# On loopback `psoas serve` sets a token for this run: the link it prints carries it, and
# its first use lets that browser in for good with a signed cookie (see docs/web.md).
LOCAL_ACCESS_TOKEN = os.environ.get("PSOAS_ACCESS_TOKEN") or None
# The address other devices on the network reach this server at, for the phone links'
# QR codes (the computer's network address when it listens on all of them): `psoas serve
# --host` sets it once it listens, as only then is the port known.
NETWORK_ORIGIN = ""
if HTTPS_ORIGIN:
    _public_host = urlparse(HTTPS_ORIGIN).hostname or ""
    if _public_host and _public_host not in ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(_public_host)
    CSRF_TRUSTED_ORIGINS = [HTTPS_ORIGIN]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^ping$", r"^healthz$"]  # health checks from the proxy's side
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("PSOAS_HSTS_SECONDS") or 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a request to the browser makers that only the domain's owner can make
    # (hstspreload.org); psoas does not make it for them.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Clinic mode (psoas/web/clinic): "local" (the default) or "clinic".
MODE = os.environ.get("PSOAS_MODE", "local").strip().lower() or "local"
if MODE not in ("local", "clinic"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"PSOAS_MODE: '{MODE}' is not a mode; use local or clinic")
CLINIC_MODE = MODE == "clinic"
if CLINIC_MODE:  # every page asks who you are: there are many people
    REQUIRE_LOGIN = True
# An invitation link works once, for this many days.
CLINIC_INVITE_DAYS = int(os.environ.get("PSOAS_INVITE_DAYS") or 7)
# A login ends after this much time without a request: staff see many people's records.
CLINIC_STAFF_IDLE = timedelta(minutes=int(os.environ.get("PSOAS_STAFF_IDLE_MINUTES") or 30))
CLINIC_PATIENT_IDLE = timedelta(
    minutes=int(os.environ.get("PSOAS_PATIENT_IDLE_MINUTES") or 7 * 24 * 60)
)
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "ninja",
    "psoas.web.site",
    "psoas.web.programs",
    "psoas.web.tracking",
    "psoas.web.outcomes",
    "psoas.web.intake",
    "psoas.web.account",
    "psoas.web.breaks",
    "psoas.web.jobs",
    "psoas.web.clinic",
    "psoas.web.messages",
    "psoas.web.audit",
    "psoas.web.clips",
    "psoas.web.batches",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]
# Clinic mode's task queue (psoas/jobs, docs/jobs.md): Procrastinate keeps its jobs in
# PostgreSQL tables that its migrations make. Local mode runs jobs inline and has none.
if CLINIC_MODE:
    INSTALLED_APPS.append("procrastinate.contrib.django")
MIDDLEWARE = [
    "psoas.web.logs.request_log",  # first: its time covers the whole request
    "django.middleware.security.SecurityMiddleware",
    "psoas.web.site.middleware.content_security_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "psoas.web.site.middleware.same_origin_writes",
    "psoas.web.site.middleware.local_access",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "psoas.web.clinic.api_tokens.bearer_login",  # clinic mode's API keys, before the login check
    "psoas.web.site.middleware.login_off_loopback",
    "psoas.web.clinic.middleware.clinic_session",
    "psoas.web.audit.trail.audit_trail",  # inside the scope: staff requests' trail rows
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Logins: 5 wrong passwords for a login name, or from one address, pause it for 15 minutes,
# counted in the database (django-axes), so every server process and a restart see the same
# count. Behind the proxy, waitress takes the address from the proxy's X-Forwarded-For.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "psoas.web.site.views.login_paused"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.auth.context_processors.auth",
                "psoas.web.site.context.site",
            ]
        },
    }
]
DATABASES = {"default": database_from_url(os.environ.get("PSOAS_DATABASE_URL"))}
if CLINIC_MODE and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "PSOAS_MODE=clinic runs on PostgreSQL only; set PSOAS_DATABASE_URL to "
        "postgresql://USER:PASSWORD@HOST:PORT/NAME"
    )
ROOT_URLCONF = "psoas.web.urls"
WSGI_APPLICATION = "psoas.web.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# Sessions in the database (Django's default, said here on purpose): any app server reads a
# login another made (docs/deploy.md, "Stateless servers"); upkeep deletes expired ones.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Mail (clinic mode's password reset): an SMTP server the clinic runs or rents. The mail
# carries a link and nothing about anyone's health.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("PSOAS_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PSOAS_SMTP_PORT") or 25)
EMAIL_HOST_USER = os.environ.get("PSOAS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PSOAS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("PSOAS_SMTP_STARTTLS") == "1"
EMAIL_USE_SSL = os.environ.get("PSOAS_SMTP_SSL") == "1"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("PSOAS_MAIL_FROM", "psoas@localhost")
# The invite page offers to send the link by email only when a mail server is named.
CLINIC_INVITE_MAIL = bool(os.environ.get("PSOAS_SMTP_HOST"))
# The address people open, for the links in emails a job sends (no request to take it from).
APP_ORIGIN = HTTPS_ORIGIN or os.environ.get("PSOAS_APP_URL", "http://127.0.0.1:8000").rstrip("/")
PASSWORD_RESET_TIMEOUT = 3600  # an hour: a reset link is a key to an account
# The issuer name an authenticator app shows beside the code.
OTP_TOTP_ISSUER = "psoas"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Static files come straight from the installed package (no collectstatic step for a
# person who installed psoas with pip); WhiteNoise serves them with the production server.
STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
WHITENOISE_MAX_AGE = 3600
# A request that fails (a 500) is logged with its traceback on the server's standard error,
# where `psoas serve` prints; with DEBUG off Django would log it nowhere. 4xx answers are
# the client's mistake and stay quiet. PSOAS_LOG_FORMAT=json adds a JSON line per request
# and per job (psoas/web/logs.py, docs/deploy.md).
LOG_FORMAT = log_format(os.environ.get("PSOAS_LOG_FORMAT"))
LOGGING = logging_config(LOG_FORMAT)
