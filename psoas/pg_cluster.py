"""A PostgreSQL cluster in a folder, for `psoas clinic up` (one machine, loopback only).

Debian's server programs live in /usr/lib/postgresql/VERSION/bin, off the PATH; the newest
is used, as tools/test_env.sh does. PostgreSQL refuses to run as root, so under root the
cluster belongs to the `postgres` user and its programs run through `runuser`, again as
tools/test_env.sh does; that user must be able to reach the folder. The server listens on
127.0.0.1 only, with no Unix socket, and trusts loopback logins: it is a developer's or a
small clinic's one-machine set-up, not a hardened server (docs/deploy.md has that).
Only the standard library is imported here.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
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

    def url(self, port: int) -> str:
        return f"postgresql://{self.owner}@127.0.0.1:{port}/{DATABASE}"

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

    def start(self, port: int) -> None:
        """pg_ctl start on 127.0.0.1:port, waiting until it takes connections."""
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
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

    def stop(self) -> None:
        """pg_ctl stop (fast: sessions are ended, nothing is lost); quiet if not running."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, port: int) -> None:
        import psycopg

        admin = f"postgresql://{self.owner}@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            there = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if not there.fetchone():
                conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _last_line(done: subprocess.CompletedProcess) -> str:
    lines = (done.stderr or done.stdout or "").strip().splitlines()
    return lines[-1] if lines else f"exit {done.returncode}"
