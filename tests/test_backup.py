"""Backup, restore and delete through the installed CLI, on a real store per test: SQLite,
and PostgreSQL when CI points PSOAS_DATABASE_URL at a server. Round trips give back exactly
the data of the backup moment, a backup taken while another process writes is consistent,
and every bad file is refused with one line while the current data stays as it was."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.test_cli import PSOAS
from tests.test_tracking_cli import DESK, run

pytestmark = pytest.mark.store  # runs again on PostgreSQL in CI

RUNNER = DESK.parent / "runner.json"
DUMP_RECORDS = """
from psoas.web.bootstrap import setup
setup()
from django.core.management import call_command
call_command("dumpdata", "programs", "tracking", "outcomes", "breaks", indent=1)
"""
# Move breaks on, and a break taken and one skipped (as the web app or `psoas breaks` would).
BREAK_EVENTS = """
import sys
from datetime import timedelta
from django.utils import timezone
from psoas.web.bootstrap import setup
setup()
from psoas.web.breaks import services
from psoas.web.programs.services import local_person
person, now = local_person(), timezone.now()
services.switch(person, True, now - timedelta(hours=2), "web")
for kind in sys.argv[1:]:
    services.record(person, kind, now - timedelta(minutes=len(kind)), source="web")
"""


def on_sqlite(env) -> bool:
    return "PSOAS_DATABASE_URL" not in env


def ok(env, *args) -> str:
    r = run(env, *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def break_events(env, *kinds: str) -> None:
    r = subprocess.run(
        [sys.executable, "-c", BREAK_EVENTS, *kinds], env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr


def seed(env) -> None:
    """A plan started ten days ago, two logged sessions, a pain check-in, and move breaks
    on with two breaks."""
    start = date.today() - timedelta(days=10)
    ok(env, "init", "--profile", str(DESK), "--start", start.isoformat())
    for back, pain in ((10, 5), (6, 4)):
        day = (date.today() - timedelta(days=back)).isoformat()
        ok(env, "log", "--date", day, "--pain-before", str(pain), "--notes", f"day {back}")
    day = (date.today() - timedelta(days=2)).isoformat()
    ok(env, "checkin", "--pain", "3", "--no-red-flags", "--no-input", "--date", day)
    break_events(env, "taken", "skipped")


def views(env) -> dict:
    """What the person sees: history, progress and today, as JSON with exit codes."""
    out = {}
    for cmd in ("history", "progress", "today"):
        r = run(env, cmd, "--json")
        out[cmd] = (r.returncode, json.loads(r.stdout) if r.stdout else r.stderr)
    return out


def records(env) -> list:
    """Every stored row with every field, timestamps included."""
    r = subprocess.run(
        [sys.executable, "-c", DUMP_RECORDS], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def change_everything(env) -> None:
    """More records and a new active plan, so a restore has something to undo."""
    ok(env, "log", "--notes", "after the backup")
    ok(env, "checkin", "--pain", "7", "--no-red-flags", "--no-input")
    ok(env, "init", "--profile", str(RUNNER))
    break_events(env, "taken")


def test_restore_gives_back_exactly_the_backup_moment(env, tmp_path):
    seed(env)
    before, rows = views(env), records(env)
    summary = json.loads(ok(env, "backup", str(tmp_path / "b"), "--json"))
    assert summary["records"]["tracking.sessionlog"] == 2
    assert summary["records"]["outcomes.paincheckin"] == 3  # 2 before a log, 1 check-in
    assert summary["records"]["breaks.breaklog"] == 3  # on, taken, skipped
    assert summary["records"]["breaks.breakconfig"] == 1
    change_everything(env)
    assert views(env) != before
    r = run(env, "restore", str(tmp_path / "b"))  # no terminal and no --yes: nothing happens
    assert r.returncode == 2 and "--yes" in r.stderr
    assert len(records(env)) > len(rows)
    restored = json.loads(ok(env, "restore", str(tmp_path / "b"), "--yes", "--json"))
    assert restored["records"] == summary["records"]
    assert restored["schema"] == summary["schema"]
    assert views(env) == before
    assert records(env) == rows
    ok(env, "log", "--notes", "the store goes on working")
    assert len(json.loads(ok(env, "history", "--json"))) == 3


def test_restore_into_an_emptied_store(env, tmp_path):
    seed(env)
    before, rows = views(env), records(env)
    ok(env, "backup", str(tmp_path / "b"))
    ok(env, "delete", "--all", "--yes")
    ok(env, "restore", str(tmp_path / "b"), "--yes")
    assert views(env) == before and records(env) == rows


def test_restore_on_a_new_machine(env, tmp_path):
    if not on_sqlite(env):
        pytest.skip("a second PostgreSQL database is the same code path as an emptied one")
    seed(env)
    before = views(env)
    ok(env, "backup", str(tmp_path / "b"))
    new = {**env, "PSOAS_DATA_DIR": str(tmp_path / "new-machine")}
    ok(new, "restore", str(tmp_path / "b"), "--yes")
    assert views(new) == before


WRITER = """
import sys
from pathlib import Path
from psoas.web.bootstrap import setup
setup()
from psoas.web.programs.services import local_person, active_plan
from psoas.web.tracking.queries import planned_rows, session_on
from psoas.web.tracking.services import log_done_session
person = local_person()
plan = active_plan(person)
rows = planned_rows(session_on(plan, plan.start_date)["session"])
stop, n = Path(sys.argv[1]), 0
while not stop.exists():
    log_done_session(person, plan, plan.start_date, 1, 0, rows, pain_before=2, pain_after=1)
    n += 1
    if n == 1:
        print("started", flush=True)
print(n)
"""


def test_backup_while_another_process_writes_is_consistent(env, tmp_path):
    ok(env, "init", "--profile", str(DESK), "--start", date.today().isoformat())
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)], env=env, text=True, stdout=subprocess.PIPE
    )
    try:
        assert writer.stdout.readline().strip() == "started"
        summary = json.loads(ok(env, "backup", str(tmp_path / "b"), "--json"))
        saved = summary["records"]["tracking.sessionlog"]
        deadline = time.monotonic() + 60  # let the writer go on past the backup moment
        while len(json.loads(ok(env, "history", "--json"))) <= saved:
            assert time.monotonic() < deadline, "the writer stopped writing"
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0
    written = int(out.strip())
    ok(env, "restore", str(tmp_path / "b"), "--yes")
    hist = json.loads(ok(env, "history", "--json"))
    assert 0 < len(hist) == saved < written
    per_session = {len(h["sets"]) for h in hist}
    assert len(per_session) == 1  # no session was caught half-written
    assert summary["records"]["tracking.setlog"] == saved * per_session.pop()


def truncated(good: Path, path: Path, env) -> None:
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def random_bytes(good: Path, path: Path, env) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def other_apps_sqlite(good: Path, path: Path, env) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE django_migrations (id INTEGER, app TEXT, name TEXT)")
        conn.execute("INSERT INTO django_migrations VALUES (1, 'blog', '0001_initial')")


def newer_schema(good: Path, path: Path, env) -> None:
    """The backup of a psoas whose programs app has a migration this one lacks."""
    row = ["programs", "0999_from_the_future"]
    if on_sqlite(env):
        path.write_bytes(good.read_bytes())
        with sqlite3.connect(path) as conn:
            conn.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2030-01-01')",
                row,
            )
        return
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        manifest = json.loads(src.read("manifest.json"))
        manifest["migrations"].append(row)
        out.writestr("manifest.json", json.dumps(manifest))
        out.writestr("database.dump", src.read("database.dump"))


BAD_FILES = [
    (truncated, "is damaged"),
    (random_bytes, "is not a backup of a psoas"),
    (other_apps_sqlite, "is not a"),
    (newer_schema, "comes from a newer psoas"),
]


def test_bad_files_are_refused_and_change_nothing(env, tmp_path):
    seed(env)
    good = tmp_path / "good"
    ok(env, "backup", str(good))
    change_everything(env)
    before, rows = views(env), records(env)
    for make, message in BAD_FILES:
        bad = tmp_path / make.__name__
        make(good, bad, env)
        r = run(env, "restore", str(bad), "--yes")
        assert r.returncode == 2 and message in r.stderr, (make.__name__, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    assert views(env) == before and records(env) == rows


def test_a_dump_that_disagrees_with_its_manifest_is_rolled_back(env, tmp_path):
    """A dump whose rows do not match its manifest is refused before the store is
    touched (and the restore's one transaction compares the counts again)."""
    if on_sqlite(env):
        pytest.skip("SQLite checks the whole file before it writes anything")
    seed(env)
    good, bad = tmp_path / "good", tmp_path / "bad"
    ok(env, "backup", str(good))
    change_everything(env)
    before, rows = views(env), records(env)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as out:
        manifest = json.loads(src.read("manifest.json"))
        manifest["records"]["tracking.sessionlog"] += 1
        out.writestr("manifest.json", json.dumps(manifest))
        out.writestr("database.dump", src.read("database.dump"))
    r = run(env, "restore", str(bad), "--yes")
    assert r.returncode == 2 and "nothing was changed" in r.stderr
    assert views(env) == before and records(env) == rows


def test_an_older_backup_migrates_on_next_use(env, tmp_path):
    if not on_sqlite(env):
        pytest.skip("made by editing a SQLite backup")
    seed(env)
    ok(env, "backup", str(tmp_path / "b"))
    with sqlite3.connect(tmp_path / "b") as conn:  # as if made before the outcomes app
        conn.execute("DELETE FROM django_migrations WHERE app = 'outcomes'")
        conn.execute("DROP TABLE outcomes_paincheckin")
        conn.execute("DROP TABLE outcomes_questionnaireresponse")
    restored = json.loads(ok(env, "restore", str(tmp_path / "b"), "--yes", "--json"))
    assert "outcomes" not in restored["schema"]
    assert len(json.loads(ok(env, "history", "--json"))) == 2
    ok(env, "checkin", "--pain", "2", "--no-red-flags", "--no-input")
    assert json.loads(ok(env, "progress", "--json"))["pain"]["latest"] == 2


def test_backup_refuses_folders_and_the_live_file(env, tmp_path):
    seed(env)
    r = run(env, "backup", str(tmp_path))
    assert r.returncode == 2 and "is a folder" in r.stderr
    if on_sqlite(env):
        r = run(env, "backup", str(tmp_path / "data" / "psoas.sqlite3"))
        assert r.returncode == 2 and "live database" in r.stderr
    assert len(json.loads(ok(env, "history", "--json"))) == 2


def test_delete_all_leaves_an_empty_store_that_init_reuses(env, tmp_path):
    seed(env)
    ok(env, "log", "--notes", "a-secret-note-to-erase")
    assert run(env, "delete").returncode == 2  # --all is required
    r = run(env, "delete", "--all")  # no terminal and no --yes
    assert r.returncode == 2 and "--yes" in r.stderr
    assert len(json.loads(ok(env, "history", "--json"))) == 3
    summary = json.loads(ok(env, "delete", "--all", "--yes", "--json"))
    assert summary["deleted"]["tracking.sessionlog"] == 3
    assert summary["deleted"]["programs.person"] == 1
    assert records(env) == []
    assert json.loads(ok(env, "history", "--json")) == []
    r = run(env, "today")
    assert r.returncode == 2 and "psoas init" in r.stderr
    if on_sqlite(env):  # erased from the disk too, not just marked free
        for f in (tmp_path / "data").glob("psoas.sqlite3*"):
            assert b"a-secret-note-to-erase" not in f.read_bytes()
    ok(env, "init", "--profile", str(DESK))
    ok(env, "log")
    assert len(json.loads(ok(env, "history", "--json"))) == 1


def typed(env, answer: str, *args):
    """Run psoas with a terminal on stdin (so it asks) and type `answer`."""
    main, tty = pty.openpty()
    try:
        proc = subprocess.Popen(
            [PSOAS, *args], env=env, stdin=tty, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        os.write(main, answer.encode() + b"\n")
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(main)
        os.close(tty)
    return proc.returncode, out.decode(), err.decode()


def test_asks_before_replacing_or_erasing(env, tmp_path):
    seed(env)
    ok(env, "backup", str(tmp_path / "b"))
    ok(env, "log")
    code, _, err = typed(env, "yes", "delete", "--all")
    assert code == 2 and "Type 'delete'" in err and "not confirmed" in err
    assert len(json.loads(ok(env, "history", "--json"))) == 3
    code, _, err = typed(env, "no", "restore", str(tmp_path / "b"))
    assert code == 2 and "not confirmed" in err
    assert len(json.loads(ok(env, "history", "--json"))) == 3
    code, out, _ = typed(env, "yes", "restore", str(tmp_path / "b"))
    assert code == 0 and "Restored" in out
    assert len(json.loads(ok(env, "history", "--json"))) == 2
    code, out, _ = typed(env, "delete", "delete", "--all")
    assert code == 0 and "Erased" in out
    assert json.loads(ok(env, "history", "--json")) == []
