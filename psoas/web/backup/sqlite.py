"""SQLite backups: a plain SQLite file, so any SQLite tool opens it.

Backup: SQLite's online backup API copies the live database in one step, which is one
read transaction, so the copy is a snapshot even while other processes write (WAL mode
lets them go on). The copy is switched to rollback-journal mode so it is one
self-contained file, checked, and renamed into place.

Restore: the file is copied first (so it cannot change under us), the copy is checked
(the size the header promises, integrity_check, foreign keys, django_migrations), then the
backup API writes it over the live database in one step: one write transaction, so other
processes see the old data or the new, never a mix, and a failure rolls back.
"""

from __future__ import annotations

import contextlib
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
    from django.db import connection

    return Path(connection.settings_dict["NAME"]).resolve()


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
        copy = Path(tmpdir) / "candidate.sqlite3"
        shutil.copyfile(src, copy)
        what = f"FILE: '{src}'"
        _check_size(copy, what)
        conn = sqlite3.connect(copy)
        try:
            summary = _inspect(conn, what)
            _match_page_size(conn, live)
            summary = {"file": str(src), "engine": NAME, **summary}
            yield Candidate(summary, lambda: _apply(conn, live))
        finally:
            conn.close()


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


def _match_page_size(conn: sqlite3.Connection, live: Path) -> None:
    """The backup API cannot write into a WAL database of another page size, so the copy is
    rebuilt with the live one's (a backup from another tool may differ)."""
    with contextlib.closing(sqlite3.connect(live, timeout=30)) as target:
        size = target.execute("PRAGMA page_size").fetchone()[0]
    if conn.execute("PRAGMA page_size").fetchone()[0] != size:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute(f"PRAGMA page_size={int(size)}")
        conn.execute("VACUUM")


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
