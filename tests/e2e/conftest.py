"""Browser tests: the real server (`psoas serve`, waitress) in its own process on a fresh
data folder, driven by Debian's Chromium through Playwright. Every page a test visits can be
checked with `check_page` (axe-core, no sideways scroll, a screenshot kept as an artifact).

On loopback `psoas serve` lets a browser in only through the link it prints (a token, then
a cookie): the `page` and `phone` of a test that uses `server` open that link first, as a
person does.

Chromium comes from apt (`/usr/bin/chromium`, or PSOAS_CHROMIUM); Playwright never
downloads a browser here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PSOAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
PSOAS = str(Path(sys.executable).with_name("psoas"))


@dataclass
class Server:
    url: str  # ends with "/"
    env: dict[str, str]
    process: subprocess.Popen
    link: str | None = None  # the loopback link with its token, as `psoas serve` prints it

    def let_in(self, context) -> None:
        """Open the printed link in a browser context: its cookie lets that browser in."""
        if self.link:
            r = context.request.get(self.link)
            assert r.ok, f"the link psoas serve printed did not work: {r.status}"

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run `psoas ARGS` against this server's data (to seed or to check what it saved)."""
        return subprocess.run(
            [PSOAS, *args], env=self.env, input=stdin, capture_output=True, text=True, cwd=ROOT
        )


def start_server(env: dict[str, str], *extra: str) -> Server:
    proc = subprocess.Popen(
        [PSOAS, "serve", "--no-browser", "--port", "0", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    line = proc.stdout.readline()
    if "running at" not in line:
        proc.kill()
        raise RuntimeError(f"psoas serve did not start: {line}{proc.stderr.read()}")
    second = proc.stdout.readline()
    link = second.split()[-1] if "token=" in second else None
    return Server(line.split()[-1], env, proc, link)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    """A running app on a fresh SQLite store (the browser tests do not rerun on PostgreSQL:
    the store tests already cover it, and pages only call the same services)."""
    env = {**os.environ, "PSOAS_DATA_DIR": str(tmp_path / "data")}
    env.pop("PSOAS_DATABASE_URL", None)
    s = start_server(env)
    yield s
    stop_server(s)


@pytest.fixture
def clinic(env) -> Iterator[Server]:
    """A clinic server: `psoas serve` with PSOAS_MODE=clinic on the test's fresh database
    (the `env` fixture: PostgreSQL, where the clinic tests run)."""
    s = start_server({**env, "PSOAS_MODE": "clinic"})
    yield s
    stop_server(s)


def spawn_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`psoas worker` on `env`'s clinic, its output appended to `log`."""
    with log.open("a") as out:
        return subprocess.Popen(
            [PSOAS, "worker"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )


def end_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def start_worker(clinic, tmp_path) -> Iterator[Callable[[], Path]]:
    """Starts `psoas worker` on the clinic's data, as a clinic runs it beside the server,
    when the test calls it; the call gives the worker's log file."""
    log = tmp_path / "worker.log"
    started: list[subprocess.Popen] = []

    def start() -> Path:
        started.append(spawn_worker(clinic.env, log))
        return log

    yield start
    for proc in started:
        end_worker(proc)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the whole run: its sync API keeps an event loop running in this
    thread, so a second `sync_playwright()` beside it would refuse to start. A test that
    needs a browser launched with other flags (the fake camera) launches it from here."""
    if not Path(CHROMIUM).exists():  # make test installs it: a failure, never a skip
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (make test as root does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


def _context(browser, request, **options):
    ctx = browser.new_context(**options)
    ctx.set_default_timeout(10_000)
    if "server" in request.fixturenames:
        request.getfixturevalue("server").let_in(ctx)
    return ctx


def _watch_policy(ctx) -> list[str]:
    """What the Content-Security-Policy blocked on the context's pages: none may be."""
    blocked: list[str] = []
    ctx.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return blocked


@pytest.fixture
def page(browser, request):
    """A laptop-sized window."""
    ctx = _context(browser, request, viewport={"width": 1280, "height": 900})
    blocked = _watch_policy(ctx)
    yield ctx.new_page()
    ctx.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


@pytest.fixture
def phone(browser, request):
    """A 375 px wide phone with touch."""
    ctx = _context(
        browser,
        request,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    blocked = _watch_policy(ctx)
    yield ctx.new_page()
    ctx.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


STRONG_KEY = "k7Qp2vXw9LmN4rT8yB3cF6hJ1sD5gA0eZuRiOo-_WqEtYxCvBnMlKjHgFdSaPz"


def server_with_login(tmp_path, login: str, password: str, *serve_args: str):
    """A fresh store with one login, served with `serve_args`; stop it with stop_server."""
    env = {**os.environ, "PSOAS_DATA_DIR": str(tmp_path / "data"), "PSOAS_SECRET_KEY": STRONG_KEY}
    env.pop("PSOAS_DATABASE_URL", None)
    made = subprocess.run(
        [PSOAS, "user", "add", login, "--password-stdin"],
        env=env,
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert made.returncode == 0, made.stderr
    return start_server(env, *serve_args)


@pytest.fixture
def open_server(tmp_path):
    """The app bound to every address (`--host 0.0.0.0`), with the login `sam`."""
    s = server_with_login(tmp_path, "sam", "a long password", "--host", "0.0.0.0")
    s.url = s.url.replace("0.0.0.0", "127.0.0.1")
    yield s
    stop_server(s)


ARTIFACTS = ROOT / "test-artifacts" / "e2e"


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
