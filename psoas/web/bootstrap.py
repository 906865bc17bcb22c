"""Start Django for the CLI (or any process) and apply migrations on first use.

Two processes may start at once on a new database; a lock (a file lock beside a SQLite
database, an advisory lock on PostgreSQL) makes the second wait for the first's migrations
instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

MIGRATE_LOCK_KEY = 7_316_427  # any constant; names the advisory lock on PostgreSQL


def setup(database_url: str | None = None) -> None:
    """Configure Django once per process and make sure the schema is current."""
    if database_url:
        os.environ["PSOAS_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psoas.web.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    migrate_if_needed()


@contextlib.contextmanager
def _migration_lock() -> Iterator[None]:
    from django.db import connection

    if connection.vendor == "sqlite":
        db = Path(connection.settings_dict["NAME"])
        db.parent.mkdir(parents=True, exist_ok=True)
        with open(db.with_suffix(db.suffix + ".migrate-lock"), "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    else:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
            try:
                yield
            finally:
                cur.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])


def _pending() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrate_if_needed() -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    if not _pending():
        return
    from django.core.management import call_command

    with _migration_lock():
        if _pending():
            call_command("migrate", verbosity=0, interactive=False)
