"""`psoas clinic up` as a person runs it: a real process on a temp folder starts
PostgreSQL (initdb, pg_ctl), the migrations, two app servers, a worker and the mail sink;
each server answers /healthz with the queue reachable and serves the login page; Ctrl+C
(SIGINT) stops everything, leaving no process behind; a second run reuses the cluster,
and once PostgreSQL is stopped under it a server answers /healthz with 503. Bad options
are refused with one line naming the option, before anything starts."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from psoas.cli.clinic_up import _port_free
from psoas.pg_cluster import Cluster, free_port
from tests.test_cli import PSOAS

START_WAIT_S = 300  # initdb, migrations and three Django processes on a shared 2-core box


def clinic_env() -> dict[str, str]:
    env = {**os.environ}
    env.pop("PSOAS_DATABASE_URL", None)  # clinic up makes its own cluster
    env.pop("PSOAS_MODE", None)
    return env


@pytest.fixture
def folder():
    """A folder the postgres user can reach when the tests run as root."""
    with tempfile.TemporaryDirectory(prefix="psoas-clinic-up.") as tmp:
        os.chmod(tmp, 0o755)
        yield Path(tmp)


def free_ports(n: int) -> int:
    """A first port with n free ports from it (checked now; clinic up checks again)."""
    for _ in range(50):
        first = free_port()
        if first + n < 65000 and all(_port_free(first + i) for i in range(n + 1)):
            return first
    raise AssertionError("no free ports")


class Run:
    def __init__(self, folder: Path, servers: int = 2) -> None:
        first = free_ports(servers + 1)
        self.out = folder / f"up-{first}.out"
        args = [PSOAS, "clinic", "up", "--servers", str(servers), "--port", str(first)]
        args += ["--smtp-port", str(first + servers), "--data-dir", str(folder / "clinic")]
        self.proc = subprocess.Popen(
            args,
            env=clinic_env(),
            stdin=subprocess.DEVNULL,
            stdout=self.out.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_WAIT_S
        while "Ready." not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"clinic up did not start:\n{self.text()}")
            time.sleep(0.5)
        self.servers = re.findall(r"Server \d+: (http://\S+/) \(pid (\d+)\)", self.text())
        self.pids = [int(p) for p in re.findall(r"\(pid (\d+)\)", self.text())]

    def text(self) -> str:
        return self.out.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(180)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state  # a zombie has ended; only its exit code is left


@pytest.mark.store  # with postgres: run in the PostgreSQL pass, where initdb is sure to be
@pytest.mark.postgres
def test_clinic_up_starts_everything_and_ctrl_c_stops_it_all(folder):
    run = Run(folder)
    try:
        text = run.text()
        assert "PostgreSQL: making a cluster in" in text
        assert "No clinic yet. Make one with:" in text and "psoas clinic init" in text
        assert re.search(r"Worker 1: running \(pid \d+\)", text)
        assert re.search(r"Mail sink: 127\.0\.0\.1:\d+, mail kept in ", text)
        assert len(run.servers) == 2
        assert len(run.pids) == 5  # PostgreSQL, the mail sink, a worker, two servers
        for url, _ in run.servers:
            status, body = get(url + "healthz")
            assert status == 200, body
            assert json.loads(body) == {
                "status": "ok",
                "mode": "clinic",
                "database": "ok",
                "queue": "ok",
            }
            status, body = get(url + "login/")
            assert status == 200 and "<form" in body
    finally:
        rc = run.stop()
    assert rc == 0, run.text()
    assert "Stopped. The clinic's folder stays" in run.text()
    assert [pid for pid in run.pids if running(pid)] == []
    assert (folder / "clinic" / "postgres" / "data" / "PG_VERSION").exists()

    again = Run(folder, servers=1)
    try:
        assert "PostgreSQL: reusing the cluster in" in again.text()
        assert "No clinic yet" in again.text()  # the same, empty clinic database
        url = again.servers[0][0]
        assert get(url + "healthz")[0] == 200
        Cluster(folder / "clinic" / "postgres").stop()  # the database goes down
        status, body = get(url + "healthz")
        assert status == 503, body
        assert json.loads(body) == {
            "status": "failing",
            "mode": "clinic",
            "database": "unreachable",
            "queue": "unreachable",
            "failing": ["database", "queue"],
        }
    finally:
        again.stop()  # 0, or 1 when the worker ended first as the database went away
    assert [pid for pid in again.pids if running(pid)] == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--servers", "9"], "--servers: 9 is not allowed; use 1 to 8"),
        (["--servers", "0"], "--servers: 0 is not allowed; use 1 to 8"),
        (["--workers", "5"], "--workers: 5 is not allowed; use 1 to 4"),
        (["--port", "80"], "--port: 80 is not allowed; use 1024 to"),
    ],
)
def test_bad_options_are_refused_with_one_line(folder, args, said):
    done = subprocess.run(
        [PSOAS, "clinic", "up", "--data-dir", str(folder / "c"), *args],
        env=clinic_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (folder / "c").exists()  # nothing started


def test_a_port_in_use_is_refused_naming_the_option(folder):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [PSOAS, "clinic", "up", "--port", str(port), "--data-dir", str(folder / "c")],
            env=clinic_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"psoas: --port: 127.0.0.1:{port} is in use; choose another first port"
    )
