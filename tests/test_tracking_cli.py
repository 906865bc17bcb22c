"""Tracking through the installed CLI, with a real database file per test, and two real
processes writing at once."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.test_cli import PSOAS

pytestmark = pytest.mark.store  # runs again on PostgreSQL in CI

ROOT = Path(__file__).resolve().parents[1]
DESK = ROOT / "examples" / "desk_worker.json"


def run(env, *args, stdin=None):
    return subprocess.run(
        [PSOAS, *args], capture_output=True, text=True, env=env, input=stdin, timeout=120
    )


def test_init_today_log_history(env, tmp_path):
    start = (date.today() - timedelta(days=3)).isoformat()
    r = run(env, "init", "--profile", str(DESK), "--start", start)
    assert r.returncode == 0, r.stderr
    on_sqlite = "PSOAS_DATABASE_URL" not in env
    assert (tmp_path / "data" / "psoas.sqlite3").exists() == on_sqlite
    today = json.loads(run(env, "today", "--json").stdout)
    assert today["status"] == "session" and today["week"] == 1
    r = run(
        env,
        "log",
        "--date",
        start,
        "--effort",
        "too_easy",
        "--pain-before",
        "4",
        "--pain-after",
        "3",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sets"] > 0
    hist = json.loads(run(env, "history", "--json").stdout)
    assert hist[0]["date"] == start and hist[0]["source"] == "manual"
    assert {s["effort"] for s in hist[0]["sets"]} == {"too_easy"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "--date", "2999-01-01"), "in the future"),
        (("log", "--date", "yesterday"), "not a date"),
        (("log", "--pain-before", "11"), "from 0 to 10"),
        (("log", "--effort", "meh"), "too_easy"),
        (("log", "--exercise", "moonwalk"), "unknown exercise"),
        (("checkin", "--pain", "12", "--no-red-flags"), "from 0 to 10"),
        (("checkin", "--pain", "3", "--red-flag", "nope"), "unknown id"),
        (("checkin", "--no-input", "--no-red-flags"), "--pain"),
    ],
)
def test_bad_input_exits_2_and_saves_nothing(env, args, message):
    assert run(env, "init", "--profile", str(DESK)).returncode == 0
    before = run(env, "history", "--json").stdout
    r = run(env, *args)
    assert r.returncode == 2 and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert run(env, "history", "--json").stdout == before


def test_commands_need_a_plan_first(env):
    r = run(env, "today")
    assert r.returncode == 2 and "psoas init" in r.stderr


def test_checkin_red_flag_refers_and_stops_the_program(env):
    assert run(env, "init", "--profile", str(DESK)).returncode == 0
    r = run(env, "checkin", "--pain", "6", "--red-flag", "both_legs_symptoms")
    assert r.returncode == 3 and "emergency" in r.stdout.lower()
    r = run(env, "today")
    assert r.returncode == 3


def test_checkin_asks_the_every_session_questions(env):
    assert run(env, "init", "--profile", str(DESK)).returncode == 0
    psfs = "walking\nsitting\nstairs\n\n4\n5\n3\n"  # three activities, then ratings
    # one screen: every emergency sign listed, then one answer; an empty one asks again
    r = run(env, "checkin", stdin="4\n\nnone\n" + psfs)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "genitals" in r.stdout and "starting point" in r.stdout
    assert "10. " in r.stdout and "11. " not in r.stdout  # the ten emergency signs
    assert r.stdout.count("Do you have any of these signs now?") == 2
    [psfs_entry] = json.loads(run(env, "progress", "--json").stdout)["questionnaires"]
    assert psfs_entry["baseline"] == 4.0


def test_init_red_flag_profile_exits_3(env):
    r = run(env, "init", "--profile", str(ROOT / "examples" / "red_flag.json"))
    assert r.returncode == 3


WRITER = """
import sys
import uuid
from datetime import date
from psoas.web.bootstrap import setup
setup()
from psoas.web.programs.services import local_person, active_plan
from psoas.web.tracking.queries import planned_rows, session_on
from psoas.web.tracking.services import log_done_session
person = local_person()
plan = active_plan(person)
info = session_on(plan, plan.start_date)
rows = planned_rows(info["session"])
for _ in range(int(sys.argv[1])):
    log_done_session(person, plan, plan.start_date, 1, 0, rows, pain_before=2, pain_after=1)
print("ok")
"""


def test_two_processes_logging_at_once_lose_nothing(env):
    start = (date.today() - timedelta(days=1)).isoformat()
    assert run(env, "init", "--profile", str(DESK), "--start", start).returncode == 0
    n = 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(n)],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    hist = json.loads(run(env, "history", "--json").stdout)
    assert len(hist) == 2 * n
    assert len({h["id"] for h in hist}) == 2 * n
    per_session = {len(h["sets"]) for h in hist}
    assert len(per_session) == 1 and per_session.pop() > 0


def test_weekly_activity_check_scores_change(env):
    assert run(env, "init", "--profile", str(DESK)).returncode == 0
    week_ago = (date.today() - timedelta(days=8)).isoformat()
    first = ["--psfs", "walking=3", "--psfs", "sitting=4", "--psfs", "stairs=2"]
    r = run(env, "checkin", "--pain", "5", "--no-red-flags", "--date", week_ago, *first)
    assert r.returncode == 0 and "starting point" in r.stdout
    later = ["--psfs", "walking=6", "--psfs", "sitting=7", "--psfs", "stairs=5"]
    r = run(env, "checkin", "--pain", "3", "--no-red-flags", "--json", *later)
    assert "3 points higher" in json.loads(r.stdout)["psfs"]
    data = json.loads(run(env, "progress", "--json").stdout)
    [psfs] = data["questionnaires"]
    assert (psfs["baseline"], psfs["latest"]) == (3.0, 6.0) and psfs["change"]["improved"]
    assert data["pain"]["latest"] == 3


def test_bad_psfs_saves_no_checkin(env):
    assert run(env, "init", "--profile", str(DESK)).returncode == 0
    r = run(env, "checkin", "--pain", "4", "--no-red-flags", "--psfs", "walking=4")
    assert r.returncode == 2 and "3 to 5 activities" in r.stderr
    r = run(
        env,
        "checkin",
        "--pain",
        "4",
        "--no-red-flags",
        "--psfs",
        "a=1",
        "--psfs",
        "b=2",
        "--psfs",
        "c=11",
    )
    assert r.returncode == 2 and "0 to 10" in r.stderr
    assert json.loads(run(env, "progress", "--json").stdout)["pain"]["weekly"] == []


def test_answers_running_out_exit_2_and_save_nothing(env):
    assert run(env, "init", "--profile", str(DESK)).returncode == 0
    r = run(env, "checkin", stdin="4\n")
    assert r.returncode == 2 and "input ended" in r.stderr
    assert json.loads(run(env, "progress", "--json").stdout)["pain"]["weekly"] == []
