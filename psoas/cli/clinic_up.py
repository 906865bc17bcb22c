"""`psoas clinic up`: everything a clinic needs, on one machine, in one command.

It starts, in order: PostgreSQL in a folder (unless PSOAS_DATABASE_URL names a database;
psoas/pg_cluster.py), the migrations, N app servers (`psoas serve` in clinic mode on
loopback ports), M workers (`psoas worker`) and a loopback SMTP sink (aiosmtpd, keeping
each mail as a file in the folder's mail/ Maildir), prints where each listens, and on
Ctrl+C or SIGTERM stops them in the reverse order (servers, workers, SMTP, then pg_ctl
stop), leaving the folder for the next run, which reuses the cluster.

A plain subprocess supervisor rather than honcho or circus: the stop must be ordered
(no server may outlive the database; PostgreSQL is a daemon that pg_ctl stops, not a
foreground child to signal), and a part that ends on its own must stop the rest. honcho's
Manager signals every process at once and leaves daemons alone; circus brings ZeroMQ and
a daemon of its own to do what the loop below does in a few lines.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Annotated

import typer

from psoas.cli.secret_key import kept_key

MAX_SERVERS = 8
MAX_WORKERS = 4
PSOAS = [sys.executable, "-c", "from psoas.cli.app import main; main()"]
STOP_WAIT_S = {"server": 20, "worker": 60, "smtp": 10}


def _fail(message: str) -> typer.Exit:
    from psoas.cli.app import fail

    return fail(message)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _check(servers: int, workers: int, port: int, smtp_port: int) -> list[int]:
    """The app servers' ports, after every option is checked (exit 2 naming it)."""
    if not 1 <= servers <= MAX_SERVERS:
        raise _fail(f"--servers: {servers} is not allowed; use 1 to {MAX_SERVERS}")
    if not 1 <= workers <= MAX_WORKERS:
        raise _fail(f"--workers: {workers} is not allowed; use 1 to {MAX_WORKERS}")
    ports = list(range(port, port + servers))
    if port < 1024 or ports[-1] > 65535:
        raise _fail(f"--port: {port} is not allowed; use 1024 to {65536 - servers}")
    for p in ports:
        if not _port_free(p):
            raise _fail(f"--port: 127.0.0.1:{p} is in use; choose another first port")
    if smtp_port in ports or not 1024 <= smtp_port <= 65535:
        raise _fail(f"--smtp-port: {smtp_port} is not allowed; use 1024 to 65535, not a server's")
    if not _port_free(smtp_port):
        raise _fail(f"--smtp-port: 127.0.0.1:{smtp_port} is in use; choose another")
    return ports


def _database(folder: Path) -> tuple[str, object | None]:
    """(the database URL, the cluster this run started or None)."""
    from psoas.pg_cluster import Cluster, ClusterError, free_port

    given = os.environ.get("PSOAS_DATABASE_URL")
    if given:
        typer.echo(f"Database: {given.split('@')[-1]} (PSOAS_DATABASE_URL)")
        return given, None
    cluster = Cluster(folder / "postgres")
    try:
        if cluster.exists():
            typer.echo(f"PostgreSQL: reusing the cluster in {cluster.data}")
        else:
            typer.echo(f"PostgreSQL: making a cluster in {cluster.data}")
            cluster.init()
        port_file = cluster.folder / "port"
        port = int(port_file.read_text()) if port_file.exists() else 0
        if not port or not _port_free(port):
            port = free_port()
            port_file.write_text(str(port))
        cluster.start(port)
        cluster.create_database(port)
    except ClusterError as exc:
        raise _fail(str(exc)) from None
    return cluster.url(port), cluster


# Run in a child process with the clinic's environment: the migrations (as every clinic
# command does first, with its one-line errors), then whether a clinic exists.
MIGRATE = """
import sys
import typer
from psoas.cli.clinic import open_clinic_store
try:
    open_clinic_store()
except typer.Exit as exc:
    sys.exit(exc.exit_code)
from psoas.web.clinic.models import Clinic
print(Clinic.objects.exists())
"""


def _migrate(env: dict[str, str]) -> bool:
    """Migrate; True when a clinic exists."""
    done = subprocess.run([sys.executable, "-c", MIGRATE], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise _fail(f"migrations failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return done.stdout.strip() == "True"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


class Parts:
    """The running processes, by kind, stopped in order."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, str, subprocess.Popen]] = []  # (kind, name, process)

    def start(self, kind: str, name: str, args: list[str], env: dict, log: Path) -> None:
        out = log.open("ab")
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        self.procs.append((kind, name, proc))

    def ended(self) -> str | None:
        for _, name, proc in self.procs:
            if proc.poll() is not None:
                return f"{name} ended (exit {proc.returncode})"
        return None

    def stop(self) -> None:
        for kind in ("server", "worker", "smtp"):
            group = [p for k, _, p in self.procs if k == kind and p.poll() is None]
            for proc in group:
                proc.send_signal(signal.SIGINT if kind != "smtp" else signal.SIGTERM)
            deadline = time.monotonic() + STOP_WAIT_S[kind]
            for proc in group:
                try:
                    proc.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def up(
    servers: Annotated[int, typer.Option("--servers", help="App servers (1 to 8).")] = 2,
    port: Annotated[
        int, typer.Option("--port", help="The first server's port; the others follow.")
    ] = 8001,
    workers: Annotated[int, typer.Option("--workers", help="Workers (1 to 4).")] = 1,
    smtp_port: Annotated[
        int, typer.Option("--smtp-port", help="The loopback mail sink's port.")
    ] = 8025,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="The clinic's folder: PostgreSQL's cluster, the mail, the logs "
            "(default: clinic/ in psoas's data folder). Kept for the next run.",
        ),
    ] = None,
) -> None:
    """Start a whole clinic on this computer: PostgreSQL, the migrations, the app servers,
    the workers and a mail sink, on 127.0.0.1. Ctrl+C stops them all."""
    ports = _check(servers, workers, port, smtp_port)
    if data_dir is None:
        from psoas.web.settings import data_dir as psoas_data_dir

        data_dir = psoas_data_dir() / "clinic"
    folder = data_dir.expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise _fail(f"--data-dir: {folder} is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)

    stopping: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    url, cluster = _database(folder)
    parts = Parts()
    rc = 0
    try:
        env = {
            **os.environ,
            "PSOAS_MODE": "clinic",
            "PSOAS_DATABASE_URL": url,
            "PSOAS_SECRET_KEY": kept_key(folder / "secret_key"),
            "PSOAS_DATA_DIR": str(folder / "files"),
            "PSOAS_SMTP_HOST": "127.0.0.1",
            "PSOAS_SMTP_PORT": str(smtp_port),
        }
        for name in ("PSOAS_SMTP_USER", "PSOAS_SMTP_PASSWORD", "PSOAS_SMTP_STARTTLS"):
            env.pop(name, None)
        has_clinic = _migrate(env)
        typer.echo("Migrations: done")
        mail = folder / "mail"
        parts.start(
            "smtp",
            "mail sink",
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(mail)],
            env,
            logs / "smtp.log",
        )  # fmt: skip
        for i in range(workers):
            parts.start("worker", f"worker {i + 1}", [*PSOAS, "worker"], env, logs / "worker.log")
        urls = []
        for i, p in enumerate(ports):
            parts.start(
                "server",
                f"server {i + 1}",
                [*PSOAS, "serve", "--port", str(p), "--no-browser"],
                env,
                logs / f"server-{p}.log",
            )
            urls.append(f"http://127.0.0.1:{p}/")
        deadline = time.monotonic() + 180
        waiting = set(urls)
        while waiting and not stopping:
            waiting = {u for u in waiting if not _healthy(u)}
            ended = parts.ended()
            if ended:
                raise _fail(f"{ended} while starting; see {logs}")
            if time.monotonic() > deadline:
                raise _fail(f"servers did not answer /healthz: {', '.join(sorted(waiting))}")
            time.sleep(0.3)
        if cluster is not None:
            typer.echo(f"PostgreSQL: {url.split('@')[-1]} (pid {cluster.pid()})")
        for kind, name, proc in parts.procs:
            where = {
                "server": f"http://127.0.0.1:{proc.args[-2]}/",
                "worker": "running",
                "smtp": f"127.0.0.1:{smtp_port}, mail kept in {mail}",
            }[kind]
            typer.echo(f"{name.capitalize()}: {where} (pid {proc.pid})")
        typer.echo(f"Logs: {logs}")
        if not has_clinic:
            typer.echo(
                "No clinic yet. Make one with: PSOAS_MODE=clinic "
                f"PSOAS_DATABASE_URL={url} psoas clinic init --name NAME --admin-email EMAIL "
                f"--origin {urls[0].rstrip('/')}"
            )
        typer.echo("Ready. Press Ctrl+C to stop everything.")
        sys.stdout.flush()
        while not stopping:
            ended = parts.ended()
            if ended:
                typer.echo(f"{ended}; stopping the rest (see {logs})", err=True)
                rc = 1
                break
            time.sleep(0.3)
    finally:
        typer.echo("Stopping: servers, workers, mail sink" + (", PostgreSQL" if cluster else ""))
        parts.stop()
        if cluster is not None:
            cluster.stop()
        typer.echo(f"Stopped. The clinic's folder stays: {folder}")
    if rc:
        raise typer.Exit(rc)
