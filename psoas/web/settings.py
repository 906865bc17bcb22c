"""Django settings, in the package so the CLI and the web app share one database.

SQLite in the user's data folder by default (WAL mode, immediate transactions and a busy
timeout, so two processes writing at once wait for each other instead of failing);
`PSOAS_DATABASE_URL` selects another database, PostgreSQL included.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import platformdirs

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
            "CONN_MAX_AGE": 0,
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
    }


SECRET_KEY = os.environ.get("PSOAS_SECRET_KEY", "psoas-local-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "psoas.web.programs",
    "psoas.web.tracking",
    "psoas.web.outcomes",
]
DATABASES = {"default": database_from_url(os.environ.get("PSOAS_DATABASE_URL"))}
ROOT_URLCONF = "psoas.web.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
