"""Several stateless app servers on one PostgreSQL, with real processes: two `psoas serve`
in clinic mode (A and B) on the test's database, `psoas worker` processes beside them and
a loopback SMTP server (tests/smtp_sink.py). No state lives in a server process
(docs/deploy.md, "Stateless servers"), so:

- a clinician logs in through A with the second factor; the next request through B is
  still logged in;
- a patient asks for a report on A; the worker renders it; B shows it ready and hands out
  the PDF (pdftotext reads it);
- a worker killed with SIGKILL in the middle of an alert email job leaves the job; a new
  worker finishes it, and exactly one email arrives;
- A stops while a patient posts check-ins through A and B in turn, a refused connection
  retried on the other server as a proxy does: every acknowledged check-in is saved once.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django_otp.oath import totp

from tests.multiserver_steps import KEY
from tests.pdf_text import pdf_text
from tests.server_process import Server, start, stop
from tests.smtp_sink import Sink, parts

pytestmark = [pytest.mark.store, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
STALLED_S = "3"  # the workers' --stalled-after


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies (the session and the form token), sent to any server."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def send(self, server: Server, method: str, path: str, form=None, body=None):
        """(status, headers, bytes) of one request; a refused connection raises OSError."""
        headers, data = {}, None
        if form is not None:
            data = urllib.parse.urlencode(
                {**form, "csrfmiddlewaretoken": self.cookie("csrftoken")}
            ).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.cookie("csrftoken")
        req = urllib.request.Request(server.url + path.lstrip("/"), data, headers, method=method)
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()

    def log_in(self, server: Server, username: str, password: str) -> str:
        """The login form through `server`; where it leads."""
        self.send(server, "GET", "/login/")
        status, headers, _ = self.send(
            server, "POST", "/login/", {"username": username, "password": password}
        )
        assert status == 302, status
        return headers["Location"]


def query(env, sql: str, *params) -> list[tuple]:
    with psycopg.connect(env["PSOAS_DATABASE_URL"], autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def wait_for(check, what: str, timeout: float = 90, logs=()) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.3)
    said = "\n".join(p.read_text(errors="replace") for p in logs)
    pytest.fail(f"{what} within {timeout} s\n{said}")


class Worker:
    """`psoas worker` (with the test's slow job known), its output in a file."""

    def __init__(self, env, folder: Path, name: str) -> None:
        self.log = folder / f"{name}.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.jobs_run", "worker", "--stalled-after", STALLED_S],
                env={**env, "PSOAS_TEST_JOB_MODULES": "tests.multiserver_steps"},
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(60)


@pytest.fixture
def sink():
    with Sink() as running:
        yield running


@pytest.fixture
def clinic(env, tmp_path, sink):
    """The clinic's data seeded, servers A and B, and a list to start workers into."""
    e = {
        **env,
        "PSOAS_MODE": "clinic",
        "PYTHONPATH": str(ROOT),
        "PSOAS_SECRET_KEY": "multiserver-" + "Vb7Kq2Lm9Xw4Rt8Yp3Hn6Jd1Fs5Gz0Ca" * 2,
        "PSOAS_SMTP_HOST": "127.0.0.1",
        "PSOAS_SMTP_PORT": str(sink.port),
        "PSOAS_MAIL_FROM": "care@north.example",
        "PSOAS_APP_URL": "https://care.example.org",
    }
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.multiserver_steps", "seed"],
        env=e, cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    servers = {}
    for name in "AB":
        (tmp_path / name).mkdir()
        servers[name] = start(e, tmp_path / name)
    workers: list[Worker] = []
    yield e, json.loads(seeded.stdout), servers, workers
    for w in workers:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()
    for s in servers.values():
        if s.proc.poll() is None:
            stop(s.proc)


def test_a_login_and_a_report_through_a_work_through_b(clinic, tmp_path):
    env, seeded, servers, workers = clinic
    a, b = servers["A"], servers["B"]

    cara = Browser()
    cara.log_in(a, seeded["clinician"], seeded["password"])
    status, headers, _ = cara.send(b, "GET", "/clinic/")  # B knows the login...
    assert status == 302 and headers["Location"].startswith("/clinic/second-factor/")
    cara.send(a, "GET", "/clinic/second-factor/")
    code = f"{totp(bytes.fromhex(KEY)):06d}"
    status, headers, _ = cara.send(a, "POST", "/clinic/second-factor/", {"code": code})
    assert status == 302 and headers["Location"] == "/clinic/", status
    status, _, page = cara.send(b, "GET", "/clinic/")
    assert status == 200 and b"<h1" in page  # ...and that A took its second factor

    pat = Browser()
    pat.log_in(a, seeded["patient"], seeded["password"])
    pat.send(a, "GET", "/reports/")
    status, headers, _ = pat.send(a, "POST", "/reports/", {})
    assert status == 302, status
    where = headers["Location"]
    status, _, page = pat.send(b, "GET", where)
    assert status == 200 and b"Your report is being made" in page  # no worker yet
    assert cara.send(b, "GET", where)[0] == 404  # not the clinician's own report
    workers.append(Worker(env, tmp_path, "worker1"))

    def ready() -> bool:
        return b"Your report is ready" in pat.send(b, "GET", where)[2]

    wait_for(ready, "the report rendered by the worker", logs=[workers[0].log])
    link = re.search(rb'href="(/files/[\w-]+)"', pat.send(b, "GET", where)[2]).group(1)
    status, headers, pdf = pat.send(b, "GET", link.decode())
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert "psoas" in pdf_text(pdf).lower()


def test_a_worker_killed_mid_email_leaves_it_to_the_next_and_one_email_arrives(
    clinic, sink, tmp_path
):
    env, seeded, _servers, workers = clinic
    made = subprocess.run(
        [sys.executable, "-m", "tests.multiserver_steps", "alert", seeded["patient"], "8"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr

    def state() -> list[tuple]:
        return query(
            env,
            "SELECT status::text, attempts FROM procrastinate_jobs"
            " WHERE task_name LIKE '%%slow_alert_email'",
        )

    first = Worker(env, tmp_path, "worker1")
    workers.append(first)
    wait_for(lambda: state() == [("doing", 0)], "the email job started", logs=[first.log])
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    assert sink.box.messages == []
    # the killed worker's heartbeat grows old (the next worker's start then frees its job)
    wait_for(
        lambda: (
            not query(
                env,
                "SELECT 1 FROM procrastinate_workers"
                f" WHERE last_heartbeat > now() - interval '{int(STALLED_S) + 1} seconds'",
            )
        ),
        "the killed worker's heartbeat too old",
    )
    second = Worker(env, tmp_path, "worker2")
    workers.append(second)
    wait_for(lambda: state() and state()[0][0] == "succeeded", "the job done", logs=[second.log])
    wait_for(lambda: len(sink.box.messages) >= 1, "the email", 30, logs=[second.log])
    time.sleep(2)  # a second email would come from the same job run: none does
    [message] = sink.box.messages
    assert message["To"] == "cara@north.example"
    assert "was left by a stopped worker; queued again" in second.log.read_text()
    assert "A patient of yours has a new alert" in parts(message)["text/plain"]
    assert second.stop() == 0


def test_stopping_a_server_loses_no_acknowledged_write_and_doubles_none(clinic):
    env, seeded, servers, _workers = clinic
    a, b = servers["A"], servers["B"]
    pat = Browser()
    pat.log_in(a, seeded["patient"], seeded["password"])
    pat.send(a, "GET", "/checkin/")  # the form token
    acknowledged, unknown, retried = [], [], 0
    for i in range(40):
        note = f"write {i}"
        order = [a, b] if i % 2 == 0 else [b, a]
        if i == 10:  # A goes away while the client writes; the client does not know
            stopping = threading.Thread(target=stop, args=(a.proc,))
            stopping.start()
        for server in order:
            try:
                status, _, body = pat.send(
                    server, "POST", "/api/checkins",
                    body={"nprs": 2, "none_of_these": True, "note": note},
                )  # fmt: skip
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, ConnectionRefusedError):
                    retried += 1  # never reached a server: the proxy tries the other
                    continue
                unknown.append(note)  # sent, answer lost: a proxy does not resend a POST
                break
            except ConnectionError:
                unknown.append(note)
                break
            assert status == 200, body
            acknowledged.append(note)
            break
    stopping.join()
    rows = dict(query(env, "SELECT note, count(*) FROM outcomes_paincheckin GROUP BY note"))
    assert retried >= 5  # A's turns after it stopped went to B
    assert all(rows.get(note) == 1 for note in acknowledged), rows
    assert all(rows.get(note, 0) <= 1 for note in unknown), rows
    assert set(rows) <= set(acknowledged) | set(unknown)
    assert len(acknowledged) >= 38
