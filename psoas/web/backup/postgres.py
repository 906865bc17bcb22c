"""PostgreSQL backups: a zip holding manifest.json and database.dump (pg_dump's custom format).

Backup: a read-only REPEATABLE READ transaction exports its snapshot; the manifest (format,
schema version, record counts) is read in that transaction and pg_dump dumps that same
snapshot, so the two agree even while the app writes. Login sessions and login attempts
are left out (their tables' rows). The zip is renamed into place.

Restore treats the dump as untrusted: none of its SQL is ever run (a dump can carry
functions, triggers, any statement, and psql meta-commands), and psql is not used. First,
without touching the store: the zip's checksums, the manifest (a psoas backup of a schema
this code knows, a history of migrations psoas makes), the dump's table of contents (only
tables, their sequences, keys and indexes: a function, a trigger, a view, any other object
is refused; exactly the tables psoas's migrations make at the backup's version), and its
data (`pg_restore --data-only` turned into text, only the COPY blocks of those tables
with exactly their columns, and as many rows as the manifest lists). Then one transaction
on the store's own connection takes the migration lock, drops the store's tables, makes a
fresh store by psoas's migrations to the backup's version, checks that the dump's keys,
indexes and sequences are the fresh store's, streams each table's rows in with COPY (the
column types, the constraints and the foreign keys check every value), sets the
sequences, compares the counts with the manifest and migrates to this code's schema. Any
error rolls all of it back: PostgreSQL's DDL is transactional, so the current data stays
as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import itertools
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
    expected_tables,
    left_out_tables,
    migrate_exactly,
    migrate_to_latest,
    migration_targets,
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
    applied = set(rows)
    migration_targets(applied, what)  # a history psoas makes, or refused
    records = {label: n for label, n in records.items() if label in record_tables()}
    pg_restore = _tool("pg_restore")
    with tempfile.TemporaryDirectory(prefix="psoas-restore-") as tmpdir:
        folder = Path(tmpdir)
        dump = folder / DUMP
        with zipfile.ZipFile(src) as zf, zf.open(DUMP) as fh, open(dump, "wb") as out:
            shutil.copyfileobj(fh, out)
        expected = expected_tables(applied)
        toc = _contents(pg_restore, dump, expected, what)
        data = folder / "data.sql"
        _run([pg_restore, "--data-only", f"--file={data}", str(dump)], None, f"{what} is damaged")
        blocks, sequences = _data_blocks(data, folder, expected, what)
        _match_manifest(blocks, records, what)
        plan = Restore(what, applied, toc, blocks, sequences, records)
        summary = {"file": str(src), "engine": NAME, "schema": schema, "records": records}
        yield Candidate(summary, lambda: _apply(plan))


# What a psoas dump's table of contents may hold: tables and what belongs to them.
ALLOWED = (
    "TABLE DATA",
    "SEQUENCE OWNED BY",
    "SEQUENCE SET",
    "FK CONSTRAINT",
    "CONSTRAINT",
    "SEQUENCE",
    "DEFAULT",
    "INDEX",
    "TABLE",
)
TOC_LINE = re.compile(r"^\d+; \d+ \d+ (.+)$")


@dataclasses.dataclass
class Restore:
    """Everything prepare() checked, for the one transaction of _apply()."""

    what: str
    applied: set[tuple[str, str]]
    toc: dict[str, set[str]]  # kind -> names ("table name" for constraints)
    blocks: list[tuple[str, list[str], Path]]  # table, columns, file of COPY rows
    sequences: dict[str, int]  # sequence name -> last value given out
    records: dict[str, int]


def _contents(
    pg_restore: str, dump: Path, expected: dict[str, list[str]], what: str
) -> dict[str, set[str]]:
    """The dump's table of contents, by kind; anything but psoas's own tables and what
    belongs to them (a function, a trigger, a view, an extension...) is refused."""
    result = subprocess.run([pg_restore, "--list", str(dump)], capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["no message"]
        raise BackupError(f"{what} is damaged ({lines[-1]})")
    toc: dict[str, set[str]] = {kind: set() for kind in ALLOWED}
    schemas = set()
    for line in result.stdout.splitlines():
        match = TOC_LINE.match(line)
        if not match:
            continue  # the header's comments
        entry = match.group(1)
        kind = next((k for k in ALLOWED if entry.startswith(k + " ")), None)
        if kind is None:  # e.g. "FUNCTION public evil() postgres": kind, schema, name, owner
            words = entry.split(" ")
            kind_words = list(itertools.takewhile(str.isupper, words))
            found = " ".join(kind_words).lower() or "object"
            name = " ".join(words[len(kind_words) + 1 : -1])
            raise _refused(what, f"it holds a {found} '{name}' that psoas never makes")
        schema, *tag, _owner = entry[len(kind) + 1 :].split(" ")
        schemas.add(schema)
        toc[kind].add(" ".join(tag))
    if len(schemas) > 1:
        raise _refused(what, f"it holds objects of several schemas ({', '.join(sorted(schemas))})")
    extra = sorted(toc["TABLE"] - set(expected))
    missing = sorted(set(expected) - toc["TABLE"])
    if extra:
        raise _refused(what, f"it holds a table '{extra[0]}' that psoas never makes")
    if missing:
        raise _refused(what, f"its table '{missing[0]}' is missing")
    return toc


def _refused(what: str, problem: str) -> BackupError:
    return BackupError(
        f"{what} is refused: {problem}; a backup may hold only psoas's own tables and indexes"
    )


COPY_LINE = re.compile(r"^COPY (.+) \((.*)\) FROM stdin;$")
SETVAL_LINE = re.compile(r"^SELECT pg_catalog\.setval\('((?:[^']|'')+)', (\d+), (true|false)\);$")


def _identifiers(text: str, sep: str) -> list[str]:
    """`a, "b c"` (sep ",") or `public."t"` (sep ".") -> the names, unquoted; pg_dump
    quotes a name only where it must."""
    names, current, quoted, i = [], "", False, 0
    while i < len(text):
        ch = text[i]
        if quoted and ch == '"' and text[i + 1 : i + 2] == '"':
            current, i = current + '"', i + 1
        elif ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            names.append(current.strip())
            current = ""
        else:
            current += ch
        i += 1
    return [*names, current.strip()]


def _data_blocks(
    data: Path, folder: Path, expected: dict[str, list[str]], what: str
) -> tuple[list[tuple[str, list[str], Path]], dict[str, int]]:
    """The COPY blocks of the data script, each to a file of its own: only psoas's tables,
    with exactly their columns, each table once. Login sessions and login attempts are
    skipped (a backup leaves them out; an older one may have them). Nothing else in the
    script is used: it is read as data, never run."""
    skip = set(left_out_tables()) | {"django_migrations"}
    blocks: list[tuple[str, list[str], Path]] = []
    seen: set[str] = set()
    sequences: dict[str, int] = {}
    with open(data, encoding="utf-8", errors="strict", newline="\n") as fh:
        try:
            for line in fh:
                line = line.rstrip("\n")
                setval = SETVAL_LINE.match(line)
                if setval:
                    name = _identifiers(setval.group(1).replace("''", "'"), ".")[-1]
                    sequences[name] = int(setval.group(2)) if setval.group(3) == "true" else 0
                    continue
                copy = COPY_LINE.match(line)
                if not copy:
                    continue
                table = _identifiers(copy.group(1), ".")[-1]
                columns = _identifiers(copy.group(2), ",")
                if table not in expected or table in seen:
                    raise _refused(what, f"its data for table '{table}' is not psoas's")
                if sorted(columns) != sorted(expected[table]):
                    raise _refused(what, f"the columns of its table '{table}' differ from psoas's")
                seen.add(table)
                path = folder / f"copy-{len(seen)}.txt"
                with open(path, "w", encoding="utf-8", newline="\n") as out:
                    for row in fh:
                        if row == "\\.\n" or row == "\\.":
                            break
                        out.write(row)
                    else:
                        raise BackupError(f"{what} is damaged (its data for '{table}' is cut off)")
                if table not in skip:
                    blocks.append((table, columns, path))
        except UnicodeDecodeError:
            raise BackupError(f"{what} is damaged (its data is not UTF-8 text)") from None
    return blocks, sequences


def _match_manifest(blocks: list, records: dict[str, int], what: str) -> None:
    """The rows of each psoas table must be as many as the manifest lists."""
    tables = record_tables()
    rows = {}
    for table, _columns, path in blocks:
        with open(path, "rb") as fh:
            rows[table] = sum(1 for _ in fh)
    for label, count in records.items():
        if rows.get(tables[label], 0) != count:
            raise BackupError(
                f"{what} is damaged (its dump does not match its manifest: {label}); "
                "nothing was changed"
            )


def _apply(plan: Restore) -> None:
    """Replace the store in one transaction: drop, migrate fresh, check, copy, migrate."""
    import psycopg
    from django.db import DatabaseError, connection, transaction

    from psoas.web.bootstrap import MIGRATE_LOCK_KEY

    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [int(MIGRATE_LOCK_KEY)])
                cur.execute(DROP_TABLES)
            migrate_exactly(connection, plan.applied, plan.what)
            _same_objects(connection, plan)
            _copy_rows(connection, plan)
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked now
            counts = count_records(connection, set(record_tables().values()))
            wrong = sorted(k for k, n in plan.records.items() if counts.get(k) != n)
            if wrong:
                raise BackupError(f"{plan.what} does not match its manifest ({wrong[0]})")
            migrate_to_latest(connection)
    except BackupError as exc:
        raise BackupError(f"restore failed and nothing was changed ({exc})") from None
    except (DatabaseError, psycopg.Error) as exc:
        first = (str(exc).strip().splitlines() or ["no message"])[0]
        raise BackupError(f"restore failed and nothing was changed ({first})") from None


DROP_TABLES = """
DO $psoas$
DECLARE t record;
BEGIN
  FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema()
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', t.schemaname, t.tablename);
  END LOOP;
END
$psoas$;
"""

CATALOGUE = {
    "INDEX": """SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = i.relnamespace
        WHERE n.nspname = current_schema()
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
    "CONSTRAINT": """SELECT r.relname || ' ' || c.conname FROM pg_constraint c
        JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'x')""",
    "FK CONSTRAINT": """SELECT r.relname || ' ' || c.conname FROM pg_constraint c
        JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        WHERE n.nspname = current_schema() AND c.contype = 'f'""",
    "SEQUENCE": """SELECT sequencename FROM pg_sequences
        WHERE schemaname = current_schema()""",
}


def _same_objects(connection: Any, plan: Restore) -> None:
    """The dump's keys, indexes and sequences must be those of the fresh store."""
    with connection.cursor() as cur:
        for kind, query in CATALOGUE.items():
            cur.execute(query)
            mine = {r[0] for r in cur.fetchall()}
            theirs = plan.toc[kind]
            extra, missing = sorted(theirs - mine), sorted(mine - theirs)
            word = kind.lower().replace("fk constraint", "foreign key")
            if extra:
                raise _refused(plan.what, f"it holds {word} '{extra[0]}' that psoas never makes")
            if missing:
                raise _refused(plan.what, f"its {word} '{missing[0]}' is missing")


def _copy_rows(connection: Any, plan: Restore) -> None:
    """Each table's rows streamed in by COPY into the fresh tables, by column name; then
    every sequence at least past the highest id, and no lower than the backup had it."""
    from psycopg import sql

    raw = connection.connection
    with raw.cursor() as cur:
        for table, columns, path in plan.blocks:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with cur.copy(statement) as copy, open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        for table in {t for t, _c, _p in plan.blocks}:
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            row = cur.fetchone()
            if row is None or row[0] is None:
                continue
            name = row[0].rsplit(".", 1)[-1].strip('"')
            cur.execute(
                sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table))
            )
            top = max(cur.fetchone()[0], plan.sequences.get(name, 0))
            cur.execute("SELECT setval(%s, %s, %s)", [row[0], max(top, 1), top > 0])
