"""`psoas session` as a person runs it: in a pseudo-terminal with keys, and killed mid-way."""

from __future__ import annotations

import json
import os
import pty
import random
import select
import signal
import subprocess
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.test_cli import PSOAS
from tests.test_tracking_cli import run

pytestmark = pytest.mark.store  # runs again on PostgreSQL in CI

ROOT = Path(__file__).resolve().parents[1]
DESK = ROOT / "examples" / "desk_worker.json"


def _init(env, days_ago=2):
    start = (date.today() - timedelta(days=days_ago)).isoformat()
    r = run(env, "init", "--profile", str(DESK), "--start", start)
    assert r.returncode == 0, r.stderr


class Pty:
    """A child process on a pseudo-terminal, read until a text appears."""

    def __init__(self, args, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.execve(args[0], args, {**env, "COLUMNS": "100", "LINES": "40", "TERM": "xterm"})
        self.out = b""

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                self.out += os.read(self.fd, 65536)
            except OSError:  # the child closed the terminal
                time.sleep(timeout)

    def expect_any(self, *texts: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            for t in texts:
                if t.encode() in self.out:
                    return t
            left = deadline - time.monotonic()
            assert left > 0, (
                f"none of {texts!r} appeared; got:\n{self.out[-2000:].decode(errors='replace')}"
            )
            self._read(min(left, 0.5))

    def expect(self, text: str, timeout: float = 60) -> None:
        self.expect_any(text, timeout=timeout)

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def wait(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            self._read(0.2)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("the session did not end")


def test_session_in_a_terminal_with_keys(env):
    _init(env)
    p = Pty([PSOAS, "session", "--fast", "40"], env)
    p.expect("Pain right now")
    p.send("3\n")
    p.expect("safety check")
    p.expect("[none/yes]")
    p.send("\n")  # no answer is not an answer: asked again
    p.out = p.out.replace(b"[none/yes]", b"[asked]", 1)
    p.expect("[none/yes]")
    p.send("none\n")
    p.expect("Get ready")
    p.expect("Rep", timeout=120)  # the screen counts reps for the bridge
    p.send("p")
    p.expect("Paused")
    p.send("p")
    p.expect("Pain now", timeout=180)
    p.send("2\n")
    p.expect("How did it feel?")
    p.send("too_easy\n")
    assert p.wait() == 0
    [h] = json.loads(run(env, "history", "--json").stdout)
    assert h["status"] == "completed" and h["pain_before"] == 3 and h["pain_after"] == 2
    assert {s["effort"] for s in h["sets"]} == {"too_easy"}
    screen = p.out.decode(errors="replace")
    assert "Breathe" in screen and "Next:" in screen and "█" in screen


def test_a_long_gap_pauses_as_away_and_the_gap_counts_for_nothing(env):
    """A stopped process (as a laptop asleep: the clock goes on) comes back paused at the
    moment it stopped, saying so; at --fast 24 the 2-minute limit is 5 real seconds."""
    _init(env)
    p = Pty([PSOAS, "session", "--fast", "24", "--no-red-flags", "--pain-before", "2"], env)
    p.expect("Get ready")  # 10 s of get ready: 0.4 real seconds
    os.kill(p.pid, signal.SIGSTOP)
    time.sleep(7)  # near 3 minutes of session time: the first exercise, if it counted
    os.kill(p.pid, signal.SIGCONT)
    p.expect("You were away, so the session paused here")
    time.sleep(1)  # still paused
    p.out = b""
    p.send("q")
    p.expect("Pain now")
    p.send("2\n")
    assert p.wait() == 0
    [h] = json.loads(run(env, "history", "--json").stdout)
    assert h["status"] == "quit"
    first = h["sets"][0]["exercise_id"]
    assert {s["exercise_id"] for s in h["sets"]} == {first}  # nothing after the first
    assert all(s["status"] != "done" for s in h["sets"])  # not one set finished in the gap


def test_pain_key_stops_and_records(env):
    _init(env)
    p = Pty([PSOAS, "session", "--fast", "5", "--no-red-flags", "--pain-before", "2"], env)
    p.expect("Hold")
    p.send("x")
    p.expect("How bad is the pain")
    p.send("7\n")
    p.expect("Pain now")
    p.send("6\n")
    assert p.wait() == 0
    [h] = json.loads(run(env, "history", "--json").stdout)
    assert h["status"] == "stopped_for_pain"
    stopped = [s for s in h["sets"] if s["status"] == "stopped_for_pain"]
    assert stopped and all(s["pain_during"] == 7 for s in stopped)


def test_killed_session_keeps_every_finished_exercise(env):
    _init(env)
    proc = subprocess.Popen(
        [PSOAS, "session", "--fast", "30", "--no-input", "--no-red-flags", "--pain-before", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    saved = []
    while time.monotonic() < deadline:
        hist = json.loads(run(env, "history", "--json").stdout or "[]")
        saved = hist[0]["sets"] if hist else []
        if saved:
            break
        time.sleep(0.2)
    assert saved, "no exercise was saved before the deadline"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    [h] = json.loads(run(env, "history", "--json").stdout)
    assert h["status"] == "in_progress"  # never finished: the process was killed
    plan = json.loads(run(env, "today", "--json").stdout)["session"]
    planned = {e["id"]: e["sets"] * (2 if e["side"] == "each" else 1) for e in plan["exercises"]}
    by_exercise: dict[str, int] = {}
    for s in h["sets"]:
        by_exercise[s["exercise_id"]] = by_exercise.get(s["exercise_id"], 0) + 1
    assert by_exercise, "the finished exercise was lost"
    for ex_id, n in by_exercise.items():
        assert n == planned[ex_id], f"{ex_id}: {n} of {planned[ex_id]} set rows: half-saved"
    assert len(by_exercise) < len(planned)  # it was killed before the end


def test_session_needs_red_flag_answer_without_input(env):
    _init(env)
    r = run(env, "session", "--no-input", "--fast", "50")
    assert r.returncode == 2 and "--no-red-flags" in r.stderr and "--red-flag" in r.stderr
    r = run(env, "session", "--no-input", "--no-red-flags", "--red-flag", "saddle_numbness")
    assert r.returncode == 2 and "contradict" in r.stderr
    r = run(env, "session", "--no-input", "--red-flag", "zombie_bite")
    assert r.returncode == 2 and "--red-flag" in r.stderr
    assert json.loads(run(env, "history", "--json").stdout) == []


def test_session_red_flag_option_refers_without_input(env):
    _init(env)
    r = run(env, "session", "--no-input", "--red-flag", "both_legs_symptoms")
    assert r.returncode == 3 and "emergency" in r.stdout.lower()
    assert json.loads(run(env, "history", "--json").stdout) == []
    assert run(env, "today").returncode == 3


def test_session_one_screen_check_yes_asks_which_then_refers(env):
    _init(env)
    # pain, then "yes", then a number out of range (asked again), then two signs
    r = run(env, "session", "--fast", "100", stdin="3\nyes\n99\n2 5\n")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "Do you have any of these signs now?" in r.stdout
    assert "Type one or more numbers from 1 to 10" in r.stdout
    assert "emergency" in r.stdout.lower()
    assert json.loads(run(env, "history", "--json").stdout) == []
    assert run(env, "today").returncode == 3


def test_rest_day_says_when_next(env):
    _init(env, days_ago=0)
    r = run(
        env,
        "session",
        "--no-input",
        "--no-red-flags",
        "--date",
        (date.today() - timedelta(days=3)).isoformat(),
    )
    assert r.returncode == 0 and "No session planned" in r.stdout


def test_new_user_from_init_to_session_to_progress_chart(env):
    _init(env, days_ago=0)
    r = run(
        env,
        "session",
        "--fast",
        "200",
        "--no-input",
        "--no-red-flags",
        "--pain-before",
        "5",
        "--pain-after",
        "4",
        "--effort",
        "about_right",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "completed"
    r = run(env, "progress")
    assert r.returncode == 0, r.stderr
    assert "Sessions done: 1 of 1" in r.stdout and "█" in r.stdout
    data = json.loads(run(env, "progress", "--json").stdout)
    assert data["pain"]["latest"] == 5 and data["adherence"]["done"] == 1


# --- a session killed mid-way: resumed the same day, closed on a later one ----------------

TABLES = (
    "tracking_sessionlog",
    "tracking_setlog",
    "outcomes_paincheckin",
    "programs_profileversion",
    "programs_plan",
)


def _query(env, sql: str) -> list[tuple]:
    """Rows straight from the store (no psoas process, so nothing is closed by reading)."""
    url = env.get("PSOAS_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute(sql).fetchall()
    import sqlite3

    with closing(sqlite3.connect(Path(env["PSOAS_DATA_DIR"]) / "psoas.sqlite3")) as conn:
        return conn.execute(sql).fetchall()


def _ids(env) -> dict[str, set[int]]:
    return {t: {r[0] for r in _query(env, f"SELECT id FROM {t}")} for t in TABLES}


def _sets_whole(env) -> None:
    """Every exercise of every session has all its planned set rows, or none: a kill
    never leaves half an exercise."""
    rows = _query(
        env,
        "SELECT l.id, s.exercise_id, count(*) FROM tracking_sessionlog l "
        "JOIN tracking_setlog s ON s.session_id = l.id GROUP BY l.id, s.exercise_id",
    )
    sessions = {r[0]: r[1] for r in _query(env, "SELECT id, session FROM tracking_sessionlog")}
    for log_id, ex_id, n in rows:
        session = sessions[log_id]
        session = json.loads(session) if isinstance(session, str) else session
        [ex] = [e for e in session["exercises"] if e["id"] == ex_id]
        planned = ex["sets"] * (2 if ex["side"] == "each" else 1) + bool(ex.get("focus_side"))
        assert n == planned, f"session {log_id}, {ex_id}: {n} of {planned} set rows"


def _kill_after_first_save(env, *args) -> int:
    """Start a session, kill -9 it once its first exercise is saved; its log id."""
    proc = subprocess.Popen(
        [PSOAS, "session", "--fast", "100", "--no-input", "--no-red-flags", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            saved = _query(env, "SELECT DISTINCT session_id FROM tracking_setlog")
            if saved:
                return max(r[0] for r in saved)
            time.sleep(0.1)
        raise AssertionError("no exercise was saved before the deadline")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def test_a_killed_session_resumes_where_it_stopped(env):
    _init(env)
    log_id = _kill_after_first_save(env, "--pain-before", "3")
    [(status,)] = _query(env, f"SELECT status FROM tracking_sessionlog WHERE id = {log_id}")
    assert status == "in_progress"
    saved_before = _ids(env)["tracking_setlog"]
    r = run(env, "session", "--fast", "300", "--no-input", "--no-red-flags", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["session_id"] == log_id and out["resumed"] and out["status"] == "completed"
    [h] = json.loads(run(env, "history", "--json").stdout)
    assert h["id"] == log_id and h["status"] == "completed" and h["pain_before"] == 3
    assert saved_before <= _ids(env)["tracking_setlog"]  # the first exercise's sets kept
    planned = json.loads(run(env, "today", "--json").stdout)["session"]["exercises"]
    assert sorted({s["exercise_id"] for s in h["sets"]}) == sorted(e["id"] for e in planned)
    assert out["exercises_saved"] == len(planned)
    _sets_whole(env)


def test_a_session_left_on_an_earlier_day_is_closed_as_interrupted(env):
    _init(env)
    start = (date.today() - timedelta(days=2)).isoformat()  # the plan's first day
    old = _kill_after_first_save(env, "--date", start)
    sets = _ids(env)["tracking_setlog"]
    r = run(env, "session", "--fast", "300", "--no-input", "--no-red-flags", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["session_id"] != old
    hist = {h["id"]: h for h in json.loads(run(env, "history", "--json").stdout)}
    assert hist[old]["status"] == "interrupted" and hist[old]["sets"]  # its sets kept
    assert sets <= _ids(env)["tracking_setlog"]
    assert not _query(env, "SELECT id FROM tracking_sessionlog WHERE status = 'in_progress'")
    [(finished,)] = _query(env, f"SELECT finished_at FROM tracking_sessionlog WHERE id = {old}")
    assert finished is not None


def test_twenty_kills_at_random_moments_lose_nothing_and_leave_no_orphan(env):
    """The probe's crash test: `psoas session` killed -9 twenty times at random moments
    (before it starts, while it plays, as it saves, as it finishes). Every row saved before
    a kill is still there, no exercise is half-saved, the store stays sound, one day never
    has two sessions open, and the next run leaves none in progress."""
    _init(env)
    rng = random.Random(20261127)
    args = ["session", "--fast", "300", "--no-input", "--no-red-flags"]
    args += ["--pain-before", "3", "--pain-after", "2"]
    began, cut_short = time.monotonic(), 0
    for _ in range(20):
        before = _ids(env)
        proc = subprocess.Popen(
            [PSOAS, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        after = _ids(env)
        for table, ids in before.items():
            assert ids <= after[table], f"{table}: rows lost: {sorted(ids - after[table])}"
        open_now = _query(env, "SELECT id FROM tracking_sessionlog WHERE status = 'in_progress'")
        assert len(open_now) <= 1, f"{len(open_now)} sessions left in progress"
        cut_short += len(open_now)
        if "PSOAS_DATABASE_URL" not in env:
            assert _query(env, "PRAGMA integrity_check") == [("ok",)]
    assert cut_short >= 3, "too few kills landed while a session was under way"
    _sets_whole(env)
    r = run(env, *args, "--json")
    assert r.returncode == 0, r.stderr
    assert not _query(env, "SELECT id FROM tracking_sessionlog WHERE status = 'in_progress'")
    statuses = {h["status"] for h in json.loads(run(env, "history", "--json").stdout)}
    assert statuses <= {"completed", "interrupted"}
    _sets_whole(env)
    assert time.monotonic() - began < 120
