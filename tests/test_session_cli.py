"""`psoas session` as a person runs it: in a pseudo-terminal with keys, and killed mid-way."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import time
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
    p.expect("safety questions")
    while p.expect_any("[y/n]", "Get ready") == "[y/n]":
        p.out = p.out.replace(b"[y/n]", b"[answered]", 1)
        p.send("n\n")
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
    assert r.returncode == 2 and "--no-red-flags" in r.stderr


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
