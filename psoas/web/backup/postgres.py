"""PostgreSQL backups: a zip holding manifest.json and database.dump (pg_dump's custom format).

Backup: a read-only REPEATABLE READ transaction exports its snapshot; the manifest (format,
schema version, record counts) is read in that transaction and pg_dump dumps that same
snapshot, so the two agree even while the app writes. The zip is renamed into place.

Restore: the zip's checksums, the manifest (a psoas backup of a schema this code knows)
and the whole dump (pg_restore turns it into SQL) are checked first. Then one psql
transaction takes the migration lock, drops the store's tables, replays the dump and
compares what it restored with the manifest (migrations and record counts). Any error rolls
all of it back, so the current data stays as it was.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from psoas.files import replacing
from psoas.web.backup import BackupError, Candidate
from psoas.web.backup.schema import (
    check_migrations,
    count_records,
    left_out_tables,
    record_tables,
)

KIND, NAME = "zip", "PostgreSQL"
FORMAT = "psoas.backup/1"
MANIFEST, DUMP = "manifest.json", "database.dump"


def _connection() -> tuple[str, str | None]:
    """The store's libpq connection string, and its password kept apart: it travels to
    the client tools in PGPASSWORD, never on a command line that other users can read."""
    from django.db import connection
    from psycopg import pq
    from psycopg.conninfo import make_conninfo

    keywords = {o.keyword.decode() for o in pq.Conninfo.get_defaults()}
    params = {
        k: str(v)
        for k, v in connection.get_connection_params().items()
        if k in keywords and v not in (None, "")
    }
    password = params.pop("password", None)
    return make_conninfo(**params), password


def _tool(name: str) -> str:
    """A client tool of the server's major version, or else the oldest newer one: pg_dump
    refuses servers newer than itself, and newer tools write SQL that older servers lack."""
    from django.db import connection

    connection.ensure_connection()
    server = connection.pg_version // 10000
    found: dict[int, str] = {}
    for path in [*sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")), shutil.which(name)]:
        if path:
            out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
            match = re.search(r"(\d+)", out)
            if match:
                found.setdefault(int(match.group(1)), path)
    usable = sorted(v for v in found if v >= server)
    if not usable:
        raise BackupError(
            f"{name}: no {name} of PostgreSQL {server} or newer on PATH or under "
            "/usr/lib/postgresql/*/bin; install the PostgreSQL client tools"
        )
    return found[usable[0]]


def _run(args: list[str], password: str | None, failure: str) -> None:
    env = {**os.environ, "PGPASSWORD": password} if password else None
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["no message"]
        errors = [line.split("ERROR:", 1)[1].strip() for line in lines if "ERROR:" in line]
        raise BackupError(f"{failure} ({errors[0] if errors else lines[-1]})")


def take(dest: Path) -> dict[str, Any]:
    import psycopg

    conninfo, password = _connection()
    pg_dump = _tool("pg_dump")
    try:
        return _dump(dest, conninfo, password, pg_dump)
    except psycopg.Error as exc:
        raise BackupError(f"backup failed and no file was written: {exc}") from None


def _dump(dest: Path, conninfo: str, password: str | None, pg_dump: str) -> dict[str, Any]:
    """The manifest and the dump, both read from one exported snapshot."""
    import psycopg

    with (
        psycopg.connect(conninfo, password=password) as conn,
        tempfile.TemporaryDirectory(dir=dest.parent, prefix=".psoas-backup-") as tmpdir,
    ):
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        rows = conn.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
        schema = check_migrations(rows, "the store")
        manifest = {
            "format": FORMAT,
            "engine": NAME,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "migrations": [list(row) for row in rows],
            "records": count_records(conn),
        }
        dump = Path(tmpdir) / DUMP
        args = ["--format=custom", "--no-owner", "--no-privileges", "--no-password"]
        args += [f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={conninfo}"]
        args += [f"--exclude-table-data={table}" for table in left_out_tables()]
        _run([pg_dump, *args], password, "pg_dump failed")
        with replacing(dest) as tmp, zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2))
            zf.write(dump, DUMP)
    return {
        "file": str(dest),
        "engine": NAME,
        "bytes": dest.stat().st_size,
        "schema": schema,
        "records": manifest["records"],
    }


def _read_manifest(src: Path, what: str) -> dict[str, Any]:
    """The manifest of a zip whose every member matches its checksum."""
    try:
        with zipfile.ZipFile(src) as zf:
            if zf.testzip() is not None:
                raise BackupError(f"{what} is damaged (a checksum does not match)")
            if {MANIFEST, DUMP} - set(zf.namelist()):
                raise BackupError(f"{what} is not a psoas backup (no manifest and dump)")
            manifest = json.loads(zf.read(MANIFEST))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BackupError(f"{what} is damaged ({exc})") from None
    except ValueError:  # not JSON, or not UTF-8
        raise BackupError(f"{what} is not a psoas backup (unreadable manifest)") from None
    fmt = manifest.get("format") if isinstance(manifest, dict) else None
    if fmt != FORMAT:
        if isinstance(fmt, str) and fmt.startswith("psoas.backup/"):
            raise BackupError(f"{what} comes from a newer psoas ({fmt}); update psoas first")
        raise BackupError(f"{what} is not a psoas backup (unknown manifest)")
    return manifest


@contextlib.contextmanager
def prepare(src: Path) -> Iterator[Candidate]:
    what = f"FILE: '{src}'"
    manifest = _read_manifest(src, what)
    try:
        rows = [(str(app), str(name)) for app, name in manifest["migrations"]]
        records = {str(label): int(n) for label, n in manifest["records"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BackupError(f"{what} is damaged (its manifest is incomplete)") from None
    schema = check_migrations(rows, what)
    records = {label: n for label, n in records.items() if label in record_tables()}
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    with tempfile.TemporaryDirectory(prefix="psoas-restore-") as tmpdir:
        dump, script = Path(tmpdir) / DUMP, Path(tmpdir) / "restore.sql"
        with zipfile.ZipFile(src) as zf, zf.open(DUMP) as fh, open(dump, "wb") as out:
            shutil.copyfileobj(fh, out)
        _run(
            [pg_restore, "--no-owner", "--no-acl", f"--file={script}", str(dump)],
            None,
            f"{what} is damaged",
        )
        (Path(tmpdir) / "pre.sql").write_text(_pre_sql(), encoding="utf-8")
        (Path(tmpdir) / "post.sql").write_text(_post_sql(rows, records), encoding="utf-8")
        summary = {"file": str(src), "engine": NAME, "schema": schema, "records": records}
        yield Candidate(summary, lambda: _apply(psql, Path(tmpdir)))


def _apply(psql: str, folder: Path) -> None:
    from django.db import connections

    connections.close_all()
    conninfo, password = _connection()
    args = ["--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1"]
    args += ["--single-transaction", f"--dbname={conninfo}"]
    args += [f"--file={folder / name}" for name in ("pre.sql", "restore.sql", "post.sql")]
    _run([psql, *args], password, "restore failed and nothing was changed")


def _pre_sql() -> str:
    """Wait for any migration in progress, then drop every table of the store's schema."""
    from psoas.web.bootstrap import MIGRATE_LOCK_KEY

    return f"""
DO $psoas$
DECLARE t record;
BEGIN
  PERFORM pg_advisory_xact_lock({int(MIGRATE_LOCK_KEY)});
  FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema()
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', t.schemaname, t.tablename);
  END LOOP;
END
$psoas$;
"""


def _post_sql(rows: list[tuple[str, str]], records: dict[str, int]) -> str:
    """Fail the transaction unless the store now holds exactly what the manifest lists."""
    from psycopg import sql

    pairs = sql.SQL(", ").join(
        sql.SQL("({}, {})").format(sql.Literal(a), sql.Literal(n)) for a, n in rows
    )
    checks = [
        sql.SQL(
            "IF EXISTS ((SELECT app, name FROM django_migrations EXCEPT VALUES {pairs})"
            " UNION ALL (VALUES {pairs} EXCEPT SELECT app, name FROM django_migrations))"
            " THEN RAISE EXCEPTION 'psoas: the restored migrations differ from the manifest';"
            " END IF;"
        ).format(pairs=pairs)
    ]
    tables = record_tables()
    for label, count in records.items():
        checks.append(
            sql.SQL(
                "IF (SELECT count(*) FROM {}) <> {} THEN RAISE EXCEPTION "
                "'psoas: % rows differ from the manifest', {}; END IF;"
            ).format(sql.Identifier(tables[label]), sql.Literal(count), sql.Literal(label))
        )
    body = sql.SQL("\n  ").join(checks).as_string(None)
    return f"RESET search_path;\nDO $psoas$\nBEGIN\n  {body}\nEND\n$psoas$;\n"
