"""Restore is a trust boundary: a backup file may come from anyone. One check per kind of
crafted backup the reliability probe tried (and a few more), on SQLite and on PostgreSQL
(marked `store`: the PostgreSQL run repeats them there). Each is refused with exit 2 and
one line, the store stays exactly as it was, and nothing in the file ever runs.

The file's schema is never adopted: a fresh store is made by psoas's own migrations and
the rows are copied into it, so only psoas's tables, columns and indexes are accepted."""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from pathlib import Path

import pytest

from tests.test_backup import change_everything, ok, on_sqlite, records, seed, views
from tests.test_pages_account import file_store  # noqa: F401  (a fixture)
from tests.test_tracking_cli import run

pytestmark = pytest.mark.store  # runs again on PostgreSQL in CI


def refused(env, path: Path, kind: str, *words: str) -> str:
    r = run(env, "restore", str(path), "--yes")
    assert r.returncode == 2, (kind, r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, (kind, r.stderr)
    assert "Traceback" not in r.stderr, (kind, r.stderr)
    for word in words:
        assert word in r.stderr, (kind, r.stderr)
    return r.stderr


@pytest.fixture
def store(env, tmp_path):
    """A seeded store, a good backup of it, then changes (so a restore would show)."""
    seed(env)
    good = tmp_path / "good"
    ok(env, "backup", str(good))
    change_everything(env)
    return env, good


# --- SQLite -----------------------------------------------------------------------------


def crafted(good: Path, path: Path, *statements: str) -> Path:
    path.write_bytes(good.read_bytes())
    conn = sqlite3.connect(path)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()
    return path


def objects(db: Path, *kinds: str) -> list:
    conn = sqlite3.connect(db)
    marks = ", ".join("?" for _ in kinds)
    names = conn.execute(f"SELECT name FROM sqlite_master WHERE type IN ({marks})", kinds)
    found = names.fetchall()
    conn.close()
    return found


FIRST_SET = "(SELECT min(id) FROM tracking_setlog)"
SQLITE_CRAFTED = {  # kind: (statements on a copy of a good backup, words in the refusal)
    # the probe's: every later session log silently deleted the earlier sets
    "trigger_deleting_rows": (
        [
            "CREATE TRIGGER quiet AFTER INSERT ON tracking_sessionlog BEGIN "
            "DELETE FROM tracking_setlog WHERE session_id <> new.id; END"
        ],
        ["is refused", "trigger 'quiet'"],
    ),
    # the probe's: restored with exit 0, then progress crashed on the missing table
    "dropped_table": (["DROP TABLE outcomes_paincheckin"], ["outcomes_paincheckin", "missing"]),
    "extra_table": (["CREATE TABLE notes (x TEXT)"], ["table 'notes'"]),
    "view": (["CREATE VIEW everything AS SELECT * FROM tracking_setlog"], ["view 'everything'"]),
    "extra_index": (["CREATE INDEX spy ON tracking_setlog (side)"], ["index 'spy'"]),
    "extra_column": (
        ["ALTER TABLE tracking_sessionlog ADD COLUMN extra TEXT"],
        ["columns of its table 'tracking_sessionlog'"],
    ),
    "text_in_a_number": (
        [f"UPDATE tracking_setlog SET reps_done = 'ten' WHERE id = {FIRST_SET}"],
        ["column 'reps_done'", "does not fit"],
    ),
    "date_that_does_not_exist": (
        ["UPDATE tracking_sessionlog SET date = '2026-02-30'"],
        ["column 'date'", "does not fit"],
    ),
    "text_too_long": (
        [f"UPDATE tracking_setlog SET side = 'leftleftleft' WHERE id = {FIRST_SET}"],
        ["column 'side'", "does not fit"],
    ),
    "text_not_utf8": (
        ["UPDATE tracking_sessionlog SET notes = CAST(x'ff00fe' AS TEXT)"],
        ["not UTF-8"],
    ),
    "migration_without_its_history": (
        ["DELETE FROM django_migrations WHERE app = 'tracking' AND name = '0001_initial'"],
        ["is damaged", "tracking.0001_initial"],
    ),
}


def test_crafted_sqlite_backups_are_refused_and_change_nothing(store, tmp_path):
    env, good = store
    if not on_sqlite(env):
        pytest.skip("a SQLite file cannot be restored into a PostgreSQL store")
    before, rows = views(env), records(env)
    for kind, (statements, words) in SQLITE_CRAFTED.items():
        refused(env, crafted(good, tmp_path / kind, *statements), kind, *words)
    assert views(env) == before and records(env) == rows
    # the probe's sequence: after the file with the trigger, a new session deletes nothing
    sets = sum(len(h["sets"]) for h in json.loads(ok(env, "history", "--json")))
    ok(env, "log")
    after = json.loads(ok(env, "history", "--json"))
    assert sum(len(h["sets"]) for h in after[1:]) == sets
    assert not objects(Path(env["PSOAS_DATA_DIR"]) / "psoas.sqlite3", "trigger", "view")


def test_flipped_bytes_never_give_a_traceback(store, tmp_path):
    """The probe's: 50 random bytes past 8 KiB inverted; 4 of 8 seeds gave a
    UnicodeDecodeError. Each is refused in one line, or, when the flips hit only free
    space, restores a file that passed every check."""
    env, good = store
    if not on_sqlite(env):
        pytest.skip("a SQLite file")
    data = good.read_bytes()
    for seed_ in range(8):
        rng, flipped = random.Random(seed_), bytearray(data)
        for at in rng.sample(range(8192, len(data)), 50):
            flipped[at] ^= 0xFF
        path = tmp_path / f"flipped-{seed_}"
        path.write_bytes(bytes(flipped))
        r = run(env, "restore", str(path), "--yes")
        assert r.returncode in (0, 2) and "Traceback" not in r.stderr, (seed_, r.stderr)
        assert r.returncode == 0 or len(r.stderr.strip().splitlines()) == 1, r.stderr
    ok(env, "history", "--json")


def test_a_good_file_restores_without_login_sessions_and_keeps_ids_going(store, tmp_path):
    """An older backup may carry login sessions: they are not restored. Ids go on from
    where the backup's store had got to, not from the highest one left."""
    env, good = store
    if not on_sqlite(env):
        pytest.skip("made by editing a SQLite backup")
    path = crafted(
        good,
        tmp_path / "with-session",
        "INSERT INTO django_session VALUES ('k3y', 'data', '2999-01-01 00:00:00')",
        "UPDATE sqlite_sequence SET seq = 40 WHERE name = 'tracking_sessionlog'",
    )
    ok(env, "restore", str(path), "--yes")
    conn = sqlite3.connect(Path(env["PSOAS_DATA_DIR"]) / "psoas.sqlite3")
    assert conn.execute("SELECT count(*) FROM django_session").fetchone() == (0,)
    conn.close()
    assert json.loads(ok(env, "log", "--json"))["session_id"] == 41


# --- PostgreSQL -------------------------------------------------------------------------


def sql(env, *statements: str) -> None:
    import psycopg

    with psycopg.connect(env["PSOAS_DATABASE_URL"], autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def pg_backup_with(env, tmp_path, name: str, create: list[str], drop: list[str]) -> Path:
    """A real `psoas backup` of the store while it holds objects of someone's making,
    which are then dropped again, so the store is as before."""
    path = tmp_path / name
    sql(env, *create)
    try:
        ok(env, "backup", str(path))
    finally:
        sql(env, *drop)
    return path


def test_a_postgresql_dump_with_a_trigger_that_runs_a_command_is_refused(store, tmp_path):
    """The probe's: a plpgsql trigger with COPY ... TO PROGRAM ran an OS command as the
    server's user on the next `psoas log` after the restore."""
    env, _good = store
    if on_sqlite(env):
        pytest.skip("a PostgreSQL dump")
    proof = Path("/tmp") / f"psoas-pwned-{uuid.uuid4().hex}"
    body = f"BEGIN COPY (SELECT 1) TO PROGRAM 'touch {proof}'; RETURN NEW; END"
    evil = pg_backup_with(
        env,
        tmp_path,
        "evil.zip",
        [
            f"CREATE FUNCTION evil() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$",
            "CREATE TRIGGER evil AFTER INSERT ON tracking_sessionlog "
            "FOR EACH ROW EXECUTE FUNCTION evil()",
        ],
        ["DROP TRIGGER evil ON tracking_sessionlog", "DROP FUNCTION evil()"],
    )
    before, rows = views(env), records(env)
    refused(env, evil, "trigger", "is refused", "evil")
    assert views(env) == before and records(env) == rows
    ok(env, "log")
    assert not proof.exists()


PG_CRAFTED = {  # kind: (made before the backup, dropped after it, words in the refusal)
    "view": (
        ["CREATE VIEW everything AS SELECT * FROM tracking_setlog"],
        ["DROP VIEW everything"],
        ["view 'everything'"],
    ),
    "extra_table": (["CREATE TABLE notes (x text)"], ["DROP TABLE notes"], ["table 'notes'"]),
    "extra_column": (
        ["ALTER TABLE tracking_sessionlog ADD COLUMN extra text"],
        ["ALTER TABLE tracking_sessionlog DROP COLUMN extra"],
        ["columns of its table 'tracking_sessionlog'"],
    ),
    "extra_index": (  # found inside the restore's one transaction, which rolls back
        ["CREATE INDEX spy ON tracking_setlog (side)"],
        ["DROP INDEX spy"],
        ["nothing was changed", "index 'spy'"],
    ),
    "value_too_wide": (  # psoas's column is varchar(5): the COPY fails, all rolls back
        [
            "ALTER TABLE tracking_setlog ALTER COLUMN side TYPE text",
            "UPDATE tracking_setlog SET side = repeat('x', 50)",
        ],
        [
            "UPDATE tracking_setlog SET side = 'left'",
            "ALTER TABLE tracking_setlog ALTER COLUMN side TYPE varchar(5)",
        ],
        ["nothing was changed", "too long"],
    ),
}


def dump_without(env, tmp_path, table: str) -> Path:
    """A psoas backup whose dump lacks a table (its manifest unchanged): made with pg_dump
    itself, as someone editing a backup would."""
    import glob
    import subprocess
    import zipfile

    good = tmp_path / "for-dropped.zip"
    ok(env, "backup", str(good))
    dump = tmp_path / "dropped.dump"
    pg_dump = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[-1]
    args = ["--format=custom", "--no-owner", "--no-privileges", f"--exclude-table={table}"]
    subprocess.run([pg_dump, *args, f"--file={dump}", env["PSOAS_DATABASE_URL"]], check=True)
    path = tmp_path / "dropped_table.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        out.writestr("manifest.json", src.read("manifest.json"))
        out.write(dump, "database.dump")
    return path


def test_crafted_postgresql_backups_are_refused_and_change_nothing(store, tmp_path):
    env, _good = store
    if on_sqlite(env):
        pytest.skip("a PostgreSQL dump")
    files = {
        kind: (pg_backup_with(env, tmp_path, f"{kind}.zip", create, drop), words)
        for kind, (create, drop, words) in PG_CRAFTED.items()
    }
    files["dropped_table"] = (dump_without(env, tmp_path, "outcomes_paincheckin"), ["missing"])
    before, rows = views(env), records(env)
    for kind, (path, words) in files.items():
        refused(env, path, kind, *words)
    assert views(env) == before and records(env) == rows


# --- the settings page uses the same checks -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_settings_upload_refuses_a_crafted_file(client, file_store, tmp_path):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from psoas.web.tracking.models import SetLog
    from tests.test_pages_account import seed_store, text

    seed_store(client)
    good = tmp_path / "good.sqlite3"
    good.write_bytes(client.get("/settings/backup").content)
    statements, _ = SQLITE_CRAFTED["trigger_deleting_rows"]
    evil = crafted(good, tmp_path / "evil.sqlite3", *statements).read_bytes()
    sets = SetLog.objects.count()
    upload = SimpleUploadedFile("evil.sqlite3", evil)
    r = client.post("/settings/restore", {"file": upload, "confirm_restore": "yes"})
    assert r.status_code == 400
    page = text(r)
    assert "trigger 'quiet'" in page and "Your records were not changed." in page
    assert SetLog.objects.count() == sets
    assert not objects(file_store, "trigger")
