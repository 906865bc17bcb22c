"""What makes a file a psoas backup, and of which schema version: its django_migrations rows.

A psoas store always has the migrations of the `programs` app (every row points to a
Person), so rows without them are another app's database. Rows this code knows are fine:
an older backup gains its missing migrations on next use, as any store does. A row it does
not know means a newer psoas made the backup, and restoring it here would break the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psoas.web.backup import BackupError

CORE_APP = "programs"


def psoas_apps() -> list[str]:
    from django.apps import apps

    return [c.label for c in apps.get_app_configs() if c.name.startswith("psoas.")]


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this code has on disk, and those that squashed ones replace."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    return known


def check_migrations(rows: Iterable[Any], what: str) -> dict[str, str]:
    """The schema version of a backup (the latest migration of each psoas app), or a
    BackupError that says why the rows are not a psoas store this code can restore.
    `what` names the file in the message, e.g. "FILE: 'old.sqlite3'"."""
    applied = {(str(app), str(name)) for app, name in rows}
    if not any(app == CORE_APP for app, _ in applied):
        raise BackupError(f"{what} is not a psoas backup (it has no psoas records)")
    unknown = sorted(applied - known_migrations())
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"{what} comes from a newer psoas (schema {app}.{name}); update psoas, then restore it"
        )
    ours = psoas_apps()
    return {app: name for app, name in sorted(applied) if app in ours}


def left_out_tables() -> list[str]:
    """Tables whose rows no backup carries: login sessions (a session key is as good as a
    password) and the login-attempt records of django-axes."""
    from django.apps import apps

    return [
        m._meta.db_table for a in ("sessions", "axes") for m in apps.get_app_config(a).get_models()
    ]


def record_tables() -> dict[str, str]:
    """The table of each psoas model, by model label (e.g. 'tracking.sessionlog')."""
    from django.apps import apps

    return {
        model._meta.label_lower: model._meta.db_table
        for label in psoas_apps()
        for model in apps.get_app_config(label).get_models()
    }


def count_records(conn: Any, present: set[str] | None = None) -> dict[str, int]:
    """Rows per psoas model through any DB-API connection (sqlite3, psycopg or Django's);
    with `present`, only the tables in it (an older backup may lack newer ones)."""
    cur = conn.cursor()
    counts = {}
    for label, table in record_tables().items():
        if present is None or table in present:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[label] = cur.fetchone()[0]
    return counts
