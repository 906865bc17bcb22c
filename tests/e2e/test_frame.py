"""The frame every page shares: the welcome page, the manifest and service worker, login
off loopback, and `psoas serve`'s refusals."""

from __future__ import annotations

import os
import subprocess

from tests.e2e.check import check_page, grade, main_text
from tests.e2e.conftest import PSOAS, ROOT, STRONG_KEY


def test_welcome_page_is_accessible_plain_and_fits_a_phone(server, phone):
    phone.goto(server.url)
    assert phone.title() == "Welcome · psoas"
    assert "does not diagnose" in main_text(phone)
    assert grade(main_text(phone)) <= 8
    check_page(phone, "frame-welcome-phone")
    phone.get_by_role("link", name="Start the safety questions").is_visible()


def test_manifest_and_service_worker_are_served(server, page):
    r = page.request.get(server.url + "manifest.webmanifest")
    assert r.ok and r.json()["start_url"] == "/today/"
    sw = page.request.get(server.url + "sw.js")
    assert sw.ok and sw.headers["service-worker-allowed"] == "/"
    assert "javascript" in sw.headers["content-type"]


def test_keyboard_reaches_skip_link_first(server, page):
    page.goto(server.url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"


def _env(tmp_path, **extra):
    env = {**os.environ, "PSOAS_DATA_DIR": str(tmp_path / "data"), **extra}
    env.pop("PSOAS_DATABASE_URL", None)
    return env


def refused(env, *args: str) -> subprocess.CompletedProcess:
    """`psoas serve ARGS` that is expected to stop at once with a message."""
    return subprocess.run(
        [PSOAS, "serve", "--no-browser", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_network_address_needs_a_secret_key(tmp_path):
    env = _env(tmp_path)
    env.pop("PSOAS_SECRET_KEY", None)
    r = refused(env, "--host", "0.0.0.0", "--port", "0")
    assert r.returncode == 2 and "PSOAS_SECRET_KEY" in r.stderr


def test_network_address_needs_a_login_to_exist(tmp_path):
    r = refused(_env(tmp_path, PSOAS_SECRET_KEY=STRONG_KEY), "--host", "0.0.0.0", "--port", "0")
    assert r.returncode == 2 and "psoas user add" in r.stderr


def test_off_loopback_every_page_and_route_asks_for_a_login(open_server, page):
    api = page.request.get(open_server.url + "api/plan")
    assert api.status == 401
    page.goto(open_server.url + "plan/")
    assert "/login/" in page.url
    check_page(page, "frame-login")
    page.get_by_label("User name").fill("sam")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/plan/")
    assert page.request.get(open_server.url + "api/plan").status == 404  # logged in: no plan yet
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")


def test_a_port_in_use_is_a_clear_error(server, tmp_path):
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    r = refused(_env(tmp_path), "--port", port)
    assert r.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in r.stderr
