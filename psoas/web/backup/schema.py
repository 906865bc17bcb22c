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
    password), the login-attempt records of django-axes, the one-time phone links (each
    lets a phone in for a few minutes), clinic invitations (one-time links that make an
    account) and staff's second-factor secrets (a copy of them is a copy of the second
    factor: staff set their app up again after a restore). A restore skips their rows too,
    so an older backup that has sessions does not bring them back. The clinic's own records
    (clinics, staff roles, care teams) are records like any other and go with a backup."""
    from django.apps import apps

    from psoas.web.account.models import PairingLink
    from psoas.web.clinic.models import Invitation

    return [
        *(
            m._meta.db_table
            for a in ("sessions", "axes", "otp_totp")
            if a in apps.app_configs
            for m in apps.get_app_config(a).get_models()
        ),
        PairingLink._meta.db_table,
        Invitation._meta.db_table,
    ]


def migration_targets(applied: set[tuple[str, str]], what: str) -> list[tuple[str, str]]:
    """The migrations to migrate a fresh store to, so that it has exactly the backup's:
    the last of each app. The backup's rows must be a history psoas makes: every
    migration's dependencies applied too (else the file was edited: refused)."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for key in sorted(applied):
        node = graph.node_map.get(key)
        if node is None:  # replaced by a squashed migration: the squash stands for it
            continue
        missing = sorted(p.key for p in node.parents if p.key not in applied)
        if missing:
            raise BackupError(
                f"{what} is damaged (its migration {key[0]}.{key[1]} needs "
                f"{missing[0][0]}.{missing[0][1]}, which it lacks)"
            )
    return sorted(
        key
        for key in applied
        if key in graph.node_map
        and not any(c.key in applied and c.key[0] == key[0] for c in graph.node_map[key].children)
    )


def expected_tables(applied: set[tuple[str, str]]) -> dict[str, list[str]]:
    """The tables and columns psoas's migrations make at the backup's version (read from
    the migrations themselves, without a database): what a dump of it may hold."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    targets = migration_targets(applied, "the backup")
    state = loader.project_state(nodes=targets, at_end=True)
    tables = {"django_migrations": ["id", "app", "name", "applied"]}
    for model in state.apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy:
            tables[meta.db_table] = [f.column for f in meta.local_concrete_fields]
    return tables


def migrate_exactly(connection: Any, applied: set[tuple[str, str]], what: str) -> None:
    """Migrate an empty database (a fresh store) to exactly the backup's migrations."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(migration_targets(applied, what))
    made = set(MigrationExecutor(connection).recorder.applied_migrations())
    if made != applied:
        extra = sorted(applied ^ made)[0]
        raise BackupError(
            f"{what} is damaged (its migrations are not a history psoas makes: "
            f"{extra[0]}.{extra[1]})"
        )


def migrate_to_latest(connection: Any) -> None:
    """Bring a restored older store up to this code's schema, before it goes live."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


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
