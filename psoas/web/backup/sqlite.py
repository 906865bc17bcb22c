"""SQLite backups: a plain SQLite file, so any SQLite tool opens it.

Backup: SQLite's online backup API copies the live database in one step, which is one
read transaction, so the copy is a snapshot even while other processes write (WAL mode
lets them go on). Login sessions and login attempts are emptied from the copy (zeroed on
the disk), which is switched to rollback-journal mode so it is one self-contained file,
checked, and renamed into place.

Restore treats the file as untrusted and never adopts its schema. The file is copied
first (so it cannot change under us) and checked: the size the header promises,
integrity_check, foreign keys, django_migrations. Then a fresh store is made beside the
live one by psoas's own migrations, exactly to the backup's migrations, and the file's
schema must match it object for object: the same tables with the same columns, the same
indexes and links, and nothing else (a trigger, a view, an extra table is refused). The
rows are checked against the column types (an integer column holds integers, a date
column real dates, text is UTF-8) and copied in by column name; the fresh store's own
constraints and foreign keys check them again. An older backup is then migrated to this
code's schema. Only then does the backup API write the fresh store over the live database
in one step: one write transaction, so other processes see the old data or the new,
never a mix, and a failure rolls back.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from psoas.files import replacing
from psoas.web.backup import BackupError, Candidate
from psoas.web.backup.schema import check_migrations, count_records, left_out_tables

KIND, NAME = "sqlite", "SQLite"
HEADER_SIZE = 100


def live_path() -> Path:
    """The store's file. An in-memory store (tests) has none: reading it as a path would
    make an empty file of that name in the working folder."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("the store is held in memory, not in a file; there is nothing to copy")
    return Path(name).resolve()


def _refuse_live(path: Path, live: Path) -> None:
    """Writing a backup over the live file, or restoring it onto itself, would wreck it."""
    names = {live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")}
    if path.resolve() in names:
        raise BackupError(f"FILE: '{path}' is the live database; choose another file")


def take(dest: Path) -> dict[str, Any]:
    live = live_path()
    _refuse_live(dest, live)
    with replacing(dest) as tmp:
        src = sqlite3.connect(live, timeout=30)
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)  # all pages in one step: one read transaction, one snapshot
            out.execute("PRAGMA secure_delete=ON")  # zeros where the left-out rows were
            for table in set(left_out_tables()) & _tables(out):
                out.execute(f'DELETE FROM "{table}"')
            out.commit()
            out.execute("PRAGMA journal_mode=DELETE")
            summary = _inspect(out, "the store")
        except sqlite3.Error as exc:  # a full disk, a store locked for too long
            raise BackupError(f"backup failed and no file was written: {exc}") from None
        finally:
            out.close()
            src.close()
    return {"file": str(dest), "engine": NAME, "bytes": dest.stat().st_size, **summary}


@contextlib.contextmanager
def prepare(src: Path) -> Iterator[Candidate]:
    live = live_path()
    _refuse_live(src, live)
    live.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=live.parent, prefix=".psoas-restore-") as tmpdir:
        copy, fresh = Path(tmpdir) / "candidate.sqlite3", Path(tmpdir) / "fresh.sqlite3"
        shutil.copyfile(src, copy)
        what = f"FILE: '{src}'"
        _check_size(copy, what)
        conn = _open_untrusted(copy)
        try:
            summary = _inspect(conn, what)
            applied = {(str(a), str(n)) for a, n in conn.execute(MIGRATIONS)}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{what} is damaged or not a database ({exc})") from None
        finally:
            conn.close()
        _make_fresh(fresh, copy, applied, what, page_size=_page_size(live))
        out = sqlite3.connect(fresh)
        try:
            summary = {"file": str(src), "engine": NAME, **summary}
            yield Candidate(summary, lambda: _apply(out, live))
        finally:
            out.close()


MIGRATIONS = "SELECT app, name FROM django_migrations"


def _open_untrusted(path: Path) -> sqlite3.Connection:
    """A file from anyone, opened by the plain sqlite3 module: no function of psoas's or
    Django's is registered on this connection for a view or a trigger to call, and
    nothing is ever written into the file, so its triggers never fire."""
    return sqlite3.connect(path)


def _make_fresh(
    fresh: Path, copy: Path, applied: set[tuple[str, str]], what: str, page_size: int
) -> None:
    """A new store at `fresh`, made by psoas's migrations to exactly the backup's, holding
    the rows of `copy` (the backup) once its schema and values passed; then migrated to
    this code's schema. Raises BackupError when anything does not fit."""
    from psoas.web.backup.schema import migrate_exactly, migrate_to_latest

    with contextlib.closing(sqlite3.connect(fresh)) as conn:  # the live store's page size,
        conn.execute(f"PRAGMA page_size={int(page_size)}")  # so the backup API can copy it
        conn.execute("CREATE TABLE psoas_page_size (x)")
        conn.execute("DROP TABLE psoas_page_size")
    with _django_connection(fresh) as connection:
        migrate_exactly(connection, applied, what)
    conn = sqlite3.connect(fresh)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (str(copy),))
        _same_shape(conn, what)
        _copy_rows(conn, what)
        conn.execute("DETACH DATABASE src")
        if conn.execute("PRAGMA foreign_key_check").fetchone():
            raise BackupError(f"{what} is damaged (a record points to a missing one)")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is damaged ({exc})") from None
    finally:
        conn.close()
    with _django_connection(fresh) as connection:
        migrate_to_latest(connection)


@contextlib.contextmanager
def _django_connection(path: Path) -> Iterator[Any]:
    """A Django connection to another SQLite file, for running migrations on it; it
    keeps rollback-journal mode (no -wal beside the fresh store)."""
    import uuid

    from django.db import connections

    alias = f"psoas_restore_{uuid.uuid4().hex[:8]}"
    base = connections["default"].settings_dict
    options = {k: v for k, v in base.get("OPTIONS", {}).items() if k != "init_command"}
    connections.settings[alias] = {**base, "NAME": str(path), "OPTIONS": options}
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _shape(conn: sqlite3.Connection, db: str) -> dict[str, Any]:
    """Every schema object of database `db` ('main', 'src'), with what defines it: the
    columns of each table (type, not null, default, key, hidden), each index's table,
    uniqueness, condition and columns, each table's foreign keys."""
    objects = {
        (kind, name): table
        for kind, name, table in conn.execute(
            f"SELECT type, name, tbl_name FROM {db}.sqlite_master "
            "WHERE name NOT LIKE 'sqlite^_%' ESCAPE '^'"
        )
    }
    tables = sorted(name for kind, name in objects if kind == "table")
    columns = {
        t: {
            r[1]: (r[2].lower(), r[3], r[4], r[5], r[6])
            for r in conn.execute(f"PRAGMA {db}.table_xinfo({_q(t)})")
        }
        for t in tables
    }
    indexes = {}
    for t in tables:
        for _seq, name, unique, origin, partial in conn.execute(f"PRAGMA {db}.index_list({_q(t)})"):
            cols = [r[2] for r in conn.execute(f"PRAGMA {db}.index_info({_q(name)})")]
            indexes[name] = (t, unique, origin, partial, cols)
    keys = {
        t: sorted(tuple(r[2:5]) for r in conn.execute(f"PRAGMA {db}.foreign_key_list({_q(t)})"))
        for t in tables
    }
    return {"objects": objects, "columns": columns, "indexes": indexes, "keys": keys}


KIND_WORDS = {"table": "a table", "index": "an index", "view": "a view", "trigger": "a trigger"}


def _same_shape(conn: sqlite3.Connection, what: str) -> None:
    """The file's schema must be the fresh store's, object for object."""
    mine, theirs = _shape(conn, "main"), _shape(conn, "src")
    problem = None
    extra = sorted(set(theirs["objects"]) - set(mine["objects"]))
    missing = sorted(set(mine["objects"]) - set(theirs["objects"]))
    if extra:
        kind, name = next((k for k in extra if k[0] != "table"), extra[0])
        problem = f"it holds {KIND_WORDS.get(kind, kind)} '{name}' that psoas never makes"
    elif missing:
        kind, name = next((k for k in missing if k[0] == "table"), missing[0])
        problem = f"its {kind} '{name}' is missing"
    else:
        for table, cols in mine["columns"].items():
            if theirs["columns"][table] != cols:
                problem = f"the columns of its table '{table}' differ from psoas's"
                break
            if theirs["keys"][table] != mine["keys"][table]:
                problem = f"the links of its table '{table}' differ from psoas's"
                break
        else:
            for name, index in mine["indexes"].items():
                if theirs["indexes"].get(name) != index:
                    problem = f"its index '{name}' differs from psoas's"
                    break
    if problem:
        raise BackupError(
            f"{what} is refused: {problem}; a backup may hold only psoas's own tables and indexes"
        )


def _rule(declared: str, column: str) -> str | None:
    """An SQL test that a value fits its column's declared type (SQLite lets any column
    hold any type, so a crafted file could put text where psoas reads a number)."""
    q, d = _q(column), declared.lower()
    day = "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]"
    if d == "bool":
        return f"typeof({q}) = 'integer' AND {q} IN (0, 1)"
    if d.startswith(("integer", "bigint", "smallint")):
        return f"typeof({q}) = 'integer'"
    if d == "real":
        return f"typeof({q}) IN ('real', 'integer')"
    if d.startswith(("varchar(", "char(")):  # SQLite does not hold to the length itself
        size = int(re.sub(r"\D", "", d) or 0)
        return f"typeof({q}) = 'text' AND length({q}) <= {size}"
    if d.startswith(("varchar", "text")):
        return f"typeof({q}) = 'text'"
    if d == "date":
        return f"typeof({q}) = 'text' AND {q} GLOB '{day}' AND date({q}, '+0 days') = {q}"
    if d == "datetime":
        return (
            f"typeof({q}) = 'text' AND {q} GLOB '{day} [0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' "
            f"AND date(substr({q}, 1, 10), '+0 days') = substr({q}, 1, 10) "
            f"AND time(substr({q}, 12)) IS NOT NULL"
        )
    if d == "time":
        return f"typeof({q}) = 'text' AND time({q}) IS NOT NULL"
    return None


def _copy_rows(conn: sqlite3.Connection, what: str) -> None:
    """Check each table's values in the file, then copy them into the fresh store by
    column name. Not copied: the migration rows (the fresh store has its own, the same)
    and the left-out tables (sessions, login attempts)."""
    from psoas.web.backup.schema import left_out_tables

    skip = {"django_migrations", *left_out_tables()}
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM main.sqlite_master "
            "WHERE type = 'table' AND name NOT LIKE 'sqlite^_%' ESCAPE '^'"
        )
    ]
    for table in sorted(set(tables) - skip):
        cols = [(r[1], r[2]) for r in conn.execute(f"PRAGMA main.table_info({_q(table)})")]
        for column, declared in cols:
            rule = _rule(declared, column)
            if (
                rule
                and conn.execute(
                    f"SELECT 1 FROM src.{_q(table)} WHERE {_q(column)} IS NOT NULL "
                    f"AND NOT ({rule}) LIMIT 1"
                ).fetchone()
            ):
                raise BackupError(
                    f"{what} is damaged (column '{column}' of table '{table}' holds a value "
                    "that does not fit it: a wrong type, length or date)"
                )
        names = ", ".join(_q(c) for c, _ in cols)
        try:  # text must be UTF-8 to be read back; reading it all decodes it
            for _row in conn.execute(f"SELECT {names} FROM src.{_q(table)}"):
                pass
        except (sqlite3.OperationalError, UnicodeDecodeError):
            raise BackupError(
                f"{what} is damaged (table '{table}' holds text that is not UTF-8)"
            ) from None
        try:
            conn.execute(
                f"INSERT INTO main.{_q(table)} ({names}) SELECT {names} FROM src.{_q(table)}"
            )
        except sqlite3.IntegrityError as exc:
            raise BackupError(f"{what} is damaged (table '{table}': {exc})") from None
    for name, seq in conn.execute(
        "SELECT name, seq FROM src.sqlite_sequence WHERE typeof(seq) = 'integer'"
    ).fetchall():  # ids are not given out again after a restore
        if name in tables and name not in skip:
            conn.execute("DELETE FROM main.sqlite_sequence WHERE name = ? AND seq < ?", (name, seq))
            if not conn.execute(
                "SELECT 1 FROM main.sqlite_sequence WHERE name = ?", (name,)
            ).fetchone():
                conn.execute(
                    "INSERT INTO main.sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq)
                )
    conn.commit()


def _check_size(copy: Path, what: str) -> None:
    """A cut-off file is refused even when the missing pages were free ones, which
    integrity_check alone would not notice: the header says how big the file must be."""
    size = copy.stat().st_size
    with open(copy, "rb") as fh:
        header = fh.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE:
        raise BackupError(f"{what} is damaged (cut off at {size} bytes)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = pages > 0 and header[24:28] == header[92:96]
    if size % page_size or (size_is_valid and size < pages * page_size):
        raise BackupError(f"{what} is damaged (cut off: {size} bytes of {pages * page_size})")


def _inspect(conn: sqlite3.Connection, what: str) -> dict[str, Any]:
    """Check a database completely; return its schema version and record counts.

    `what` names it in messages: "FILE: 'x.sqlite3'" for a restore, "the store" for a
    backup (whose copy is checked too, so a damaged store is not saved as a good backup)."""
    try:
        [result] = conn.execute("PRAGMA integrity_check(1)").fetchone()
        if result != "ok":
            problem = [line for line in result.splitlines() if not line.startswith("***")]
            raise BackupError(f"{what} is damaged (integrity check: {problem[0]})")
        if conn.execute("PRAGMA foreign_key_check").fetchone():
            raise BackupError(f"{what} is damaged (a record points to a missing one)")
        tables = _tables(conn)
        if "django_migrations" not in tables:
            raise BackupError(f"{what} is not a psoas backup (it has no psoas records)")
        schema = check_migrations(conn.execute("SELECT app, name FROM django_migrations"), what)
        return {"schema": schema, "records": count_records(conn, tables)}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is damaged or not a database ({exc})") from None
    except UnicodeDecodeError:  # a flipped byte in a text the checks read
        raise BackupError(f"{what} is damaged (it holds text that is not UTF-8)") from None


def _page_size(live: Path) -> int:
    """The live store's page size: the backup API cannot write into a WAL database of
    another page size, so the fresh store is made with it."""
    with contextlib.closing(sqlite3.connect(live, timeout=30)) as target:
        return target.execute("PRAGMA page_size").fetchone()[0]


def _apply(conn: sqlite3.Connection, live: Path) -> None:
    from django.db import connections

    connections.close_all()
    target = sqlite3.connect(live, timeout=30)
    try:
        conn.backup(target)  # all pages in one step: one write transaction on the store
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed and nothing was changed: {exc}") from None
    finally:
        target.close()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
