"""Server mode done right, through the installed CLI and Django's own tools: behind an HTTPS
proxy `check --deploy` is clean; weak secret keys and weak passwords are refused; the store
and its folder are private to the user; backups leave out login sessions."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from psoas.cli.serve import weak_secret
from tests.test_cli import PSOAS
from tests.test_tracking_cli import DESK, run

ROOT = Path(__file__).resolve().parents[1]
STRONG = secrets.token_urlsafe(50)
PROXY = "https://psoas.example.org"


def deploy_check(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "psoas.web.settings",
        "PSOAS_DATA_DIR": str(tmp_path / "data"),
        **env_vars,
    }
    # tests/conftest.py allows sync database calls beside Playwright's loop;
    # a deployment never does, so the check must not inherit that.
    names = (
        "PSOAS_BEHIND_HTTPS_PROXY",
        "PSOAS_REQUIRE_LOGIN",
        "PSOAS_SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )
    for name in names:
        if name not in env_vars:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_check_deploy_is_clean_behind_an_https_proxy(tmp_path):
    r = deploy_check(tmp_path, PSOAS_SECRET_KEY=STRONG, PSOAS_BEHIND_HTTPS_PROXY=PROXY)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout, r.stdout + r.stderr


def test_check_deploy_without_the_proxy_setting_names_what_is_missing(tmp_path):
    """The control: the same check in plain network mode finds the HTTPS settings missing."""
    r = deploy_check(tmp_path, PSOAS_SECRET_KEY=STRONG, PSOAS_REQUIRE_LOGIN="1")
    assert r.returncode != 0
    for warning in ("W004", "W008", "W012", "W016"):
        assert warning in r.stderr + r.stdout


def test_proxy_settings(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.CSRF_TRUSTED_ORIGINS, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.REQUIRE_LOGIN, "
        "'psoas.example.org' in s.ALLOWED_HOSTS)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "psoas.web.settings",
        "PSOAS_BEHIND_HTTPS_PROXY": PROXY,
    }
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.stdout.split() == [
        "['https://psoas.example.org']",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
        "True",
        "True",
        "True",
        "True",
    ], r.stderr


# --- secrets and passwords ---------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["x", "x" * 50, "s" * 50, "abcde" * 10, "abcdefghijklmnopqrstuvwxyz" * 2, "0123456789" * 6],
)
def test_weak_secret_keys(key):
    assert weak_secret(key)


def test_random_secret_keys_pass():
    for _ in range(200):
        assert weak_secret(secrets.token_urlsafe(50)) is None
        assert weak_secret(secrets.token_hex(32)) is None


def serve(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PSOAS, "serve", "--no-browser", "--port", "0", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("args", [(), ("--host", "0.0.0.0"), ("--behind-https-proxy", PROXY)])
def test_a_weak_secret_key_is_refused_with_one_line(env, args):
    r = serve({**env, "PSOAS_SECRET_KEY": "x"}, *args)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("psoas: PSOAS_SECRET_KEY:")
    assert "secrets.token_urlsafe" in r.stderr


@pytest.mark.parametrize(
    "value", ["http://psoas.example.org", "psoas.example.org", "https://h/path", "https://"]
)
def test_behind_https_proxy_needs_an_https_address(env, value):
    r = serve({**env, "PSOAS_SECRET_KEY": STRONG}, "--behind-https-proxy", value)
    assert r.returncode == 2 and r.stderr.startswith("psoas: --behind-https-proxy:")


def test_behind_https_proxy_asks_for_a_key_and_a_login(env):
    plain = {k: v for k, v in env.items() if k != "PSOAS_SECRET_KEY"}
    r = serve(plain, "--behind-https-proxy", PROXY)
    assert r.returncode == 2 and "PSOAS_SECRET_KEY" in r.stderr
    r = serve({**env, "PSOAS_SECRET_KEY": STRONG}, "--behind-https-proxy", PROXY)
    assert r.returncode == 2 and "psoas user add" in r.stderr


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "too short"),
        ("password123", "too common"),
        ("12345678901234", "entirely numeric"),
        ("samantha-smith", "too similar"),
    ],
)
def test_user_add_refuses_weak_passwords(env, password, why):
    r = run(env, "user", "add", "samantha-smith", "--password-stdin", stdin=password + "\n")
    assert r.returncode == 2 and r.stderr.startswith("psoas: password:"), r.stderr
    assert why in r.stderr and r.stderr.count("\n") == 1
    r = run(env, "user", "add", "samantha-smith", "--password-stdin", stdin="bright cloud oar\n")
    assert r.returncode == 0, r.stderr


# --- the store's files -------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def on_sqlite(env) -> bool:
    return "PSOAS_DATABASE_URL" not in env


def test_store_and_folder_are_private_whatever_the_umask(env, tmp_path):
    if not on_sqlite(env):
        pytest.skip("a PostgreSQL store has no files of its own here")
    old = os.umask(0o022)
    try:
        r = run(env, "init", "--profile", str(DESK))
        assert r.returncode == 0, r.stderr
        data = Path(env["PSOAS_DATA_DIR"])
        assert mode(data) == 0o700
        assert mode(data / "psoas.sqlite3") == 0o600
        # the WAL files take the database's mode: look while a connection holds them
        code = (
            "from psoas.web.bootstrap import setup; setup(); "
            "from django.db import connection; from pathlib import Path; import stat; "
            "from psoas.web.programs.services import local_person; local_person(); "
            "connection.cursor().execute('CREATE TEMP TABLE t(x)'); "
            "n = connection.settings_dict['NAME']; "
            "print([oct(stat.S_IMODE(Path(n + s).stat().st_mode)) for s in ('-wal', '-shm')])"
        )
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert r.stdout.strip() == "['0o600', '0o600']", r.stderr
        # a store made by an older psoas (0644 in a 0755 folder) is tightened on next use
        (data / "psoas.sqlite3").chmod(0o644)
        data.chmod(0o755)
        assert run(env, "today").returncode == 0
        assert mode(data) == 0o700 and mode(data / "psoas.sqlite3") == 0o600
    finally:
        os.umask(old)


# --- backups carry no login sessions -----------------------------------------------------

MAKE_SESSION = """
from psoas.web.bootstrap import setup
setup()
from django.contrib.sessions.backends.db import SessionStore
from axes.models import AccessAttempt
s = SessionStore(); s["_auth_user_id"] = "1"; s.create()
AccessAttempt.objects.create(username="sam", failures_since_start=2, ip_address="10.0.0.9")
print(s.session_key)
"""


def pg_restore() -> str | None:
    found = shutil.which("pg_restore") or sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_restore"))
    return found if isinstance(found, str) else (found[-1] if found else None)


@pytest.mark.store
def test_backups_leave_out_login_sessions(env, tmp_path):
    assert run(env, "init", "--profile", str(DESK)).returncode == 0
    r = subprocess.run(
        [sys.executable, "-c", MAKE_SESSION], env=env, capture_output=True, text=True
    )
    key = r.stdout.strip()
    assert len(key) == 32, r.stderr
    out = tmp_path / "b.backup"
    r = run(env, "backup", str(out))
    assert r.returncode == 0, r.stderr
    if on_sqlite(env):
        with sqlite3.connect(out) as conn:
            assert conn.execute("SELECT count(*) FROM django_session").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM axes_accessattempt").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM programs_person").fetchone() == (1,)
        assert key.encode() not in out.read_bytes()  # not even in a free page
        return
    tool = pg_restore()
    assert tool, "pg_restore is needed for PostgreSQL backups"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(tmp_path / "zip")
    dump = next((tmp_path / "zip").iterdir())
    dump = next(p for p in (tmp_path / "zip").iterdir() if p.suffix != ".json")
    data = subprocess.run(
        [tool, "--data-only", "-f", "-", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert key not in data and "10.0.0.9" not in data
    assert "COPY public.programs_person" in data or "programs_person" in data
