"""A PostgreSQL cluster in a folder, for `psoas clinic up` (one machine, loopback only),
and a throw-away one for the tests and the clinic benches (`throwaway`; run a command on
one with `python -m psoas.pg_cluster COMMAND [ARGS...]`, as tools/test_env.sh does).

Debian's server programs live in /usr/lib/postgresql/VERSION/bin, off the PATH; the newest
is used. PostgreSQL refuses to run as root, so under root the cluster belongs to the
`postgres` user and its programs run through `runuser`; that user must be able to reach
the folder. The server listens on
127.0.0.1 only, with no Unix socket, and trusts loopback logins: it is a developer's or a
small clinic's one-machine set-up, not a hardened server (docs/deploy.md has that).
Only the standard library is imported here.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DATABASE = "psoas"


class ClusterError(Exception):
    """Why the cluster cannot be made or started, in one line."""


def server_bin() -> Path:
    """The newest /usr/lib/postgresql/*/bin holding initdb, or initdb's folder on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: [int(x) for x in Path(p).parent.parent.name.split(".") if x.isdigit()],
    )
    path = found[-1] if found else shutil.which("initdb")
    if not path:
        raise ClusterError(
            "no PostgreSQL server found (initdb) in /usr/lib/postgresql/*/bin or on PATH; "
            "install it (apt-get install postgresql) or set PSOAS_DATABASE_URL"
        )
    return Path(path).parent


@dataclass(frozen=True)
class Cluster:
    folder: Path  # holds data/ (the cluster), log and port

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def owner(self) -> str:
        """The database login that owns the cluster: postgres under root, else you."""
        if os.geteuid() == 0:
            return "postgres"
        import getpass

        return getpass.getuser()

    def url(self, port: int, database: str = DATABASE) -> str:
        return f"postgresql://{self.owner}@127.0.0.1:{port}/{database}"

    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(server_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, cwd="/", capture_output=True, text=True, check=False)

    def init(self) -> None:
        """initdb into the folder (made first; given to the postgres user under root)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            probe = subprocess.run(
                ["runuser", "-u", "postgres", "--", "test", "-w", str(self.folder)], check=False
            )
            if probe.returncode != 0:
                raise ClusterError(
                    f"--data-dir: the postgres user cannot reach {self.folder} (run as root, "
                    "PostgreSQL runs as postgres); choose a folder it can reach, e.g. under "
                    "/srv or /tmp, or run as an ordinary user"
                )
        done = self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", self.owner, "-E", "UTF8"
        )
        if done.returncode != 0:
            raise ClusterError(f"initdb failed: {_last_line(done)}")

    def start(self, port: int, durable: bool = True) -> None:
        """pg_ctl start on 127.0.0.1:port, waiting until it takes connections. Not
        `durable` (a throw-away cluster): no fsync and no full-page writes, faster, and a
        crash of the machine may lose the data."""
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        if not durable:
            options += " -c fsync=off -c full_page_writes=off"
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-t", "120",
            "-o", options, "start",
        )  # fmt: skip
        if done.returncode != 0:
            log = self.folder / "log"
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
            raise ClusterError(f"PostgreSQL did not start: {(tail or [_last_line(done)])[0]}")

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self, mode: str = "fast") -> None:
        """pg_ctl stop (fast: sessions are ended, nothing is lost; immediate: no shutdown
        checkpoint, for a cluster about to be deleted); quiet if not running."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, port: int) -> None:
        import psycopg

        with psycopg.connect(self.url(port, "postgres"), autocommit=True) as conn:
            there = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if not there.fetchone():
                conn.execute(f'CREATE DATABASE "{DATABASE}"')


def free_port() -> int:
    """A loopback port free now (another process may still take it first)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway(keep: Path | None = None) -> Iterator[tuple[Cluster, int]]:
    """A started cluster that is not durable, and its port: in a new temp folder deleted at
    the end, or in `keep`, made there the first time, started again later and left there."""
    root = os.geteuid() == 0
    cluster = Cluster(
        keep or Path(tempfile.mkdtemp(prefix="psoas-pg.", dir="/tmp" if root else None))
    )
    try:
        if not cluster.exists():
            cluster.init()
        for attempt in range(3):  # another process may take the free port before the server
            port = free_port()
            try:
                cluster.start(port, durable=False)
                break
            except ClusterError:
                if attempt == 2:
                    raise
        yield cluster, port
    finally:
        cluster.stop("fast" if keep else "immediate")
        if keep is None:
            shutil.rmtree(cluster.folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    """Run COMMAND with PSOAS_DATABASE_URL naming the database `psoas` on a throw-away
    cluster, deleted at the end, pass or fail; COMMAND's exit code."""
    if not argv:
        sys.stderr.write("usage: python -m psoas.pg_cluster COMMAND [ARGS...]\n")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with throwaway() as (cluster, port):
            cluster.create_database(port)
            said = subprocess.run(
                [str(server_bin() / "postgres"), "--version"], capture_output=True, text=True
            ).stdout.split()  # postgres (PostgreSQL) 15.18 (Debian ...)
            version = said[2] if len(said) > 2 else "?"
            sys.stderr.write(
                f"pg_cluster: PostgreSQL {version} on 127.0.0.1:{port} ({cluster.folder})\n"
            )
            env = {**os.environ, "PSOAS_DATABASE_URL": cluster.url(port)}
            return subprocess.run(argv, env=env, check=False).returncode
    except ClusterError as exc:
        sys.stderr.write(f"pg_cluster: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130


def _last_line(done: subprocess.CompletedProcess) -> str:
    lines = (done.stderr or done.stdout or "").strip().splitlines()
    return lines[-1] if lines else f"exit {done.returncode}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
