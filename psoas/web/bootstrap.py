"""Start Django for the CLI (or any process) and apply migrations on first use.

Two processes may start at once on a new database; a lock (a file lock beside a SQLite
database, an advisory lock on PostgreSQL) makes the second wait for the first's migrations
instead of failing half-way.

The store in the data folder is made on first use. A SQLite file named by
`PSOAS_DATABASE_URL` (or `--database-url`) must exist already, unless making it was asked
for (`psoas --create`, or yes to the CLI's question): a typo in a path must not start an
empty store that hides the person's records.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from psoas.web.filemodes import private_open, private_sqlite

MIGRATE_LOCK_KEY = 7_316_427  # any constant; names the advisory lock on PostgreSQL
_create = {"allowed": False}


class StoreMissing(ValueError):
    """The SQLite file that the database URL names does not exist (and may not be made)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"'{path}' does not exist; check the path, or add --create to make a new, "
            "empty store there"
        )


def allow_create(allowed: bool = True) -> None:
    """Let setup() make the SQLite file that the database URL names (`psoas --create`)."""
    _create["allowed"] = allowed


def setup(database_url: str | None = None) -> None:
    """Configure Django once per process and make sure the schema is current. A database
    URL that cannot be a store raises ValueError (StoreMissing for a missing file)."""
    if database_url:
        os.environ["PSOAS_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psoas.web.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    check_database_url()
    migrate_if_needed()


def check_database_url() -> None:
    """A PostgreSQL URL must name a database; a SQLite URL must name a regular file, one
    that exists unless making it is allowed. The default store in the data folder is
    made on first use."""
    from django.db import connection

    if not os.environ.get("PSOAS_DATABASE_URL"):
        return
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite":
        if not name:
            raise ValueError(
                "the PostgreSQL URL names no database; "
                "use postgresql://USER:PASSWORD@HOST:PORT/NAME"
            )
        return
    shown = name if len(name) <= 120 else name[:60] + "..." + name[-40:]
    if name in ("", ".", ":memory:"):
        raise ValueError(f"'{shown}' is not a file name; use sqlite:///PATH/psoas.sqlite3")
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        if not _create["allowed"]:
            raise StoreMissing(Path(name)) from None
        return
    except OSError as exc:  # a name too long, a loop of links, a folder it cannot enter
        raise ValueError(f"'{shown}': {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        example = name.rstrip("/") + "/psoas.sqlite3"
        raise ValueError(f"'{shown}' is a folder; name a file, like {example}")
    if not stat.S_ISREG(mode):
        raise ValueError(f"'{shown}' is not a regular file (a device or a pipe); name a file")


@contextlib.contextmanager
def _migration_lock() -> Iterator[None]:
    from django.db import connection

    if connection.vendor == "sqlite":
        db = Path(connection.settings_dict["NAME"])
        db.parent.mkdir(parents=True, exist_ok=True)
        with private_open(db.with_suffix(db.suffix + ".migrate-lock")) as fh:
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
        private_sqlite(connection.settings_dict["NAME"])  # made 0600 in a 0700 folder
    if not _pending():
        return
    from django.core.management import call_command

    with _migration_lock():
        if _pending():
            call_command("migrate", verbosity=0, interactive=False)
