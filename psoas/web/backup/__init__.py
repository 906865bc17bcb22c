"""Backup, restore and delete-everything for the store, on SQLite or PostgreSQL.

The engines differ (sqlite.py, postgres.py) but share one promise: a backup is a consistent
snapshot taken while the app may be writing (without login sessions), and a restore checks
the whole file before touching anything, then replaces the store in one transaction, so
the current data stays intact whenever a restore fails. A restore trusts nothing in the
file: it makes a fresh store by psoas's own migrations and copies the rows in, so only
psoas's tables, columns and indexes are accepted and nothing in the file ever runs.
Refusals raise BackupError with one line for the user. See docs/backup.md.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = {b"SQLite format 3\x00": "sqlite", b"PK\x03\x04": "zip", b"PGDMP": "pg_dump"}
KINDS = {
    "sqlite": "a SQLite database",
    "zip": "a zip file, the form of psoas backups of PostgreSQL stores",
    "pg_dump": "a bare pg_dump archive, without the manifest that 'psoas backup' adds",
    "other": "a file of an unknown type",
}


class BackupError(Exception):
    """A refusal or a failure, worded for the person; nothing was changed."""


@dataclass
class Candidate:
    """A backup file that passed every check; `apply()` puts it in place of the store."""

    summary: dict[str, Any]
    apply: Callable[[], None]


def configure() -> None:
    """Start Django without touching the database: a restore must work on a missing or
    broken store, and migrating a store that is about to be replaced is wasted work."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psoas.web.settings")
    import django

    django.setup()


def _engine():
    from django.db import connection

    if connection.vendor == "sqlite":
        from psoas.web.backup import sqlite as engine
    else:
        from psoas.web.backup import postgres as engine
    return engine


def take(dest: Path) -> dict[str, Any]:
    """Write a backup of the whole store to `dest`; return what it holds. The file is
    written beside `dest` and renamed over it (psoas.files): never a folder or a device,
    and a link is followed."""
    from psoas.files import Refused, target

    try:
        target(dest)
        return _engine().take(dest)
    except Refused as exc:
        raise BackupError(f"FILE: {exc}") from None


@contextlib.contextmanager
def prepare(src: Path) -> Iterator[Candidate]:
    """Check a backup file completely, without changing the store; yield it ready to apply.

    Temporary copies live until the block ends, so the caller can ask the person first."""
    if not src.is_file():
        raise BackupError(f"FILE: '{src}' does not exist or is not a file")
    engine = _engine()
    kind = file_kind(src)
    if kind != engine.KIND:
        raise BackupError(
            f"FILE: '{src}' is not a backup of a psoas {engine.NAME} store: it is {KINDS[kind]}"
        )
    with engine.prepare(src) as candidate:
        yield candidate


def delete_all() -> dict[str, Any]:
    """Erase every record in one transaction, leaving an empty store that works.

    Django's flush empties every table of every model (people, profiles, plans, logs,
    check-ins, responses, accounts) and recreates the content types, so models that later
    issues add are erased too; SQLite then rewrites its file so the old rows are gone from
    the disk as well."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from psoas.web.backup.schema import count_records

    with transaction.atomic():  # the counts are of exactly what the flush erases
        before = count_records(connection)
        call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("VACUUM")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"engine": _engine().NAME, "deleted": before}


def file_kind(path: Path) -> str:
    """What the first bytes of a file say it is: a key of KINDS."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), "other")
