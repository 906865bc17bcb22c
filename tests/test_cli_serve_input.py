"""`psoas user add` and `psoas serve` on bad input (reliability probe, finding 8): exit 2
with one line naming the argument, never a traceback."""

from __future__ import annotations

import secrets

import pytest

from tests.test_cli import refused, run_in


@pytest.mark.parametrize("name", ["", " ", "a b", "x" * 151, "tab\there"])
def test_bad_login_name_exits_2(env, name):
    r = run_in(env, "user", "add", name, "--password-stdin", stdin="longenough-Pass-123\n")
    refused(r, "NAME")


@pytest.mark.parametrize("host", ["bogus.invalid", "999.1.1.1", ""])
def test_bad_host_exits_2_naming_it(env, host):
    env = {**env, "PSOAS_SECRET_KEY": secrets.token_urlsafe(50)}
    password = secrets.token_urlsafe(16) + "\n"
    r = run_in(env, "user", "add", "alice", "--password-stdin", stdin=password)
    assert r.returncode == 0, r.stderr
    r = run_in(env, "serve", "--host", host, "--port", "0", "--no-browser", timeout=30)
    refused(r, "--host")


def test_user_add_without_a_terminal_exits_2(env):
    """Probe 8: a GetPassWarning and exit 130."""
    r = run_in(env, "user", "add", "bob", stdin="")
    refused(r, "--password-stdin")
