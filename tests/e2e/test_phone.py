"""A phone on the home network (issue 16 item 4), against a real `psoas serve --host
0.0.0.0` with a login: the QR code and link it prints log a second browser (the phone) in
once; a link made on the Settings page does the same, and an expired or used one says so.
Over plain http:// to another machine a browser has no service worker and no Wake Lock:
the phone here opens the server at a name that is not this device (mapped to 127.0.0.1
inside its browser only), so it is not a secure context, as on a real home network. The
player keeps its screen on with the muted video, and the pages say what does not work
offline. The codes never reach the server's output."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from psoas.cli.serve import network_address
from tests.e2e.check import check_page, grade, main_text
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, server_with_login, stop_server
from tests.e2e.flows import start, wait_for

PHONE_HOST = "phone.psoas.test"  # not this device, not https: no secure context
PASSWORD = "a long password"
QR_CHARS = set("█▀▄ ")
PLAYING = "(() => { const v = document.getElementById('p-awake');"
PLAYING += " return !!v && !v.paused && v.currentTime > 0; })()"
API_STATUS = "fetch('/api/plan').then((r) => r.status)"  # in the page: its resolver
STOPPED = "(() => { const v = document.getElementById('p-awake'); return !v || v.paused; })()"


@pytest.fixture(scope="module")
def home_network(browser):
    """A Chromium whose own resolver sends PHONE_HOST to 127.0.0.1: nothing leaves this
    machine, and its pages come from an origin that is neither loopback nor https."""
    rules = f"--host-resolver-rules=MAP {PHONE_HOST} 127.0.0.1"
    b = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, rules])
    yield b
    b.close()


@pytest.fixture
def home(tmp_path):
    """psoas serve --host 0.0.0.0 with the login sam and a plan; its printed lines."""
    server = server_with_login(tmp_path, "sam", PASSWORD, "--host", "0.0.0.0")
    r = server.cli("init", "--profile", "examples/desk_worker.json")
    assert r.returncode == 0, r.stderr
    server.port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    server.url = f"http://127.0.0.1:{server.port}/"
    server.lines = []
    while not server.lines or "Press Ctrl+C" not in server.lines[-1]:
        line = server.process.stdout.readline()
        assert line, "psoas serve stopped printing before Ctrl+C"
        server.lines.append(line.rstrip("\n"))
    server.store = Path(server.env["PSOAS_DATA_DIR"]) / "psoas.sqlite3"
    yield server
    stop_server(server)
    output = server.process.stdout.read() + server.process.stderr.read()
    for code in getattr(server, "codes", []):
        assert code not in output, "a phone link's code reached the server's output"


def phone_context(browser):
    ctx = browser.new_context(
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    ctx.set_default_timeout(10_000)
    blocked = []
    ctx.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return ctx, blocked


def on_phone(server, url: str) -> str:
    """The link as the phone opens it: the same path and code at PHONE_HOST."""
    parts = urlsplit(url)
    server.codes = [*getattr(server, "codes", []), parts.query.split("=", 1)[1]]
    return f"http://{PHONE_HOST}:{server.port}{parts.path}?{parts.query}"


def test_the_code_psoas_serve_prints_logs_a_phone_in_once(home, home_network):
    lines = home.lines  # after "To use psoas on a phone on this network, scan this code"
    assert "logs the phone in as 'sam'" in lines[0] and "within 10 minutes" in lines[0]
    qr = [ln for ln in lines if ln and set(ln) <= QR_CHARS]
    assert len(qr) >= 15 and len({len(ln) for ln in qr}) == 1  # a square of blocks
    (link_line,) = [ln for ln in lines if ln.startswith("Or open this link on the phone: ")]
    link = link_line.rsplit(" ", 1)[1]
    parts = urlsplit(link)
    assert parts.hostname == network_address("0.0.0.0").strip("[]")  # the LAN address
    assert parts.port == home.port and parts.path == "/pair/"

    phone, blocked = phone_context(home_network)
    page = phone.new_page()
    page.goto(on_phone(home, link))
    page.wait_for_url("**/today/")  # the link's page sends itself: logged in, at Today
    assert page.evaluate("window.isSecureContext") is False
    assert page.get_by_role("button", name="Log out").is_visible()
    check_page(page, "phone-paired-today")

    second, blocked_too = phone_context(home_network)
    other = second.new_page()
    r = other.goto(on_phone(home, link))
    assert r.status == 410
    text = main_text(other)
    assert "used this link already" in text and "Make a phone link" in text
    assert grade(text) <= 8
    check_page(other, "phone-link-used")
    assert other.evaluate(API_STATUS) == 401  # not let in
    phone.close()
    second.close()
    assert not blocked and not blocked_too


def test_settings_makes_a_new_link_that_expires_and_works_once(home, home_network, browser):
    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = laptop.new_page()
    page.goto(home.url + "login/")
    page.get_by_label("User name").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(home.url + "settings/")
    section = page.locator("#phone")
    assert "Use psoas on your phone" in section.inner_text()
    page.get_by_role("button", name="Make a phone link").click()
    page.wait_for_selector("#phone img.qr")
    wait_for(page, "document.activeElement.id === 'phone_link_made'")  # htmx swap, focus
    link = page.input_value("#phone_url")
    assert urlsplit(link).hostname == network_address("0.0.0.0").strip("[]")
    assert urlsplit(link).port == home.port
    wait_for(page, "document.querySelector('#phone img.qr').naturalWidth > 100")
    check_page(page, "settings-phone-link")

    # ten minutes later: the link is too old
    with sqlite3.connect(home.store) as conn:
        conn.execute("UPDATE account_pairinglink SET expires_at = '2000-01-01 00:00:00'")
    phone, blocked = phone_context(home_network)
    tab = phone.new_page()
    r = tab.goto(on_phone(home, link))
    assert r.status == 410 and "too old" in main_text(tab) and "10 minutes" in main_text(tab)
    check_page(tab, "phone-link-expired")
    assert tab.evaluate(API_STATUS) == 401

    page.get_by_role("button", name="Make a new phone link").click()
    wait_for(page, f"document.getElementById('phone_url').value !== {link!r}")
    fresh = page.input_value("#phone_url")
    tab.goto(on_phone(home, fresh))
    tab.wait_for_url("**/today/")
    assert tab.get_by_role("button", name="Log out").is_visible()
    laptop.close()
    phone.close()
    assert not blocked


def test_the_player_on_a_phone_over_plain_http(home, home_network):
    """No Wake Lock and no offline copy over http:// to another machine: the keep-awake
    video plays while the session runs and stops with it; the page says what is missing."""
    (link_line,) = [ln for ln in home.lines if ln.startswith("Or open this link on the phone")]
    phone, blocked = phone_context(home_network)
    page = phone.new_page()
    page.goto(on_phone(home, link_line.rsplit(" ", 1)[1]))
    page.wait_for_url("**/today/")
    start(page, SimpleNamespace(url=f"http://{PHONE_HOST}:{home.port}/"), speed=20)
    assert page.evaluate("'wakeLock' in navigator") is False
    assert page.evaluate("navigator.serviceWorker === undefined")
    note = page.locator(".offline-note")
    assert note.is_visible()
    assert "keeps no copy of psoas to use without the network" in note.inner_text()
    assert grade(note.inner_text()) <= 8
    page.get_by_role("button", name="Start").tap()
    wait_for(page, PLAYING)
    check_page(page, "player-phone-http")
    page.get_by_role("button", name="Pause").tap()
    wait_for(page, STOPPED)
    page.get_by_role("button", name="Go on").tap()
    wait_for(page, PLAYING)
    page.wait_for_selector("#player[data-state=asking]", state="attached", timeout=60_000)
    wait_for(page, STOPPED)
    page.goto(f"http://{PHONE_HOST}:{home.port}/settings/")
    assert page.locator("#phone .offline-note").is_visible()
    check_page(page, "settings-phone-http")
    phone.close()
    assert not blocked
