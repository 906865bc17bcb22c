"""`psoas block` through the installed CLI on a real store: a first block whose six weeks
have passed, the re-test, the comparison, the choice and the second block."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from psoas.core.planning.planner import build_plan
from psoas.core.planning.schedule import schedule
from psoas.core.profile import load_profile_text
from tests.test_tracking_cli import ROOT, run

pytestmark = pytest.mark.store  # runs again on PostgreSQL in CI

RETEST = (
    "--thomas-left",
    "negative",
    "--thomas-right",
    "negative",
    "--hold-left",
    "25",
    "--hold-right",
    "24",
    "--pain",
    "1",
    "--psfs",
    "sitting=8",
    "--psfs",
    "running=7",
    "--psfs",
    "stairs=9",
    "--no-input",
)


PROFILE = ROOT / "examples" / "runner.json"  # 3 days a week: few sessions to log


def _finished_block(env) -> date:
    """A plan that started 43 days ago, with a check-in and an activity check at its start
    and every session logged as planned."""
    start = date.today() - timedelta(days=43)
    r = run(env, "init", "--profile", str(PROFILE), "--start", start.isoformat())
    assert r.returncode == 0, r.stderr
    r = run(
        env,
        "checkin",
        "--date",
        start.isoformat(),
        "--pain",
        "3",
        "--no-red-flags",
        "--psfs",
        "sitting=3",
        "--psfs",
        "running=2",
        "--psfs",
        "stairs=5",
        "--no-input",
    )
    assert r.returncode == 0, r.stderr
    plan = build_plan(load_profile_text(PROFILE.read_text()))
    for day, _week, _index in schedule(plan, start):
        r = run(env, "log", "--date", day.isoformat(), "--pain-during", "1")
        assert r.returncode == 0, r.stderr
    return start


def test_a_second_block_through_the_cli(env):
    _finished_block(env)
    status = json.loads(run(env, "block", "--json").stdout)
    assert status["number"] == 1 and status["review_due"] and status["review"] is None
    assert "psoas block retest" in run(env, "today").stdout
    today = json.loads(run(env, "today", "--json").stdout)
    assert today["review_due"] and today["block"] == {"number": 1, "kind": "first"}

    r = run(env, "block", "next", "--choice", "progress")
    assert r.returncode == 2 and "re-test first" in r.stderr

    r = run(env, "block", "retest", *RETEST, "--json")
    assert r.returncode == 0, r.stderr
    review = json.loads(r.stdout)
    rows = {row["id"]: row for row in review["rows"]}
    assert rows["nprs"]["before"] == 3 and rows["nprs"]["after"] == 1  # the profile's pain
    assert rows["nprs"]["verdict"] == "better"
    assert rows["psfs"]["verdict"] == "better"
    assert rows["thomas_left"]["verdict"] == "better"
    recommended = [o["choice"] for o in review["options"] if o["recommended"]]
    assert recommended == ["progress"]

    start = (date.today() + timedelta(days=2)).isoformat()
    r = run(env, "block", "next", "--choice", "progress", "--start", start, "--json")
    assert r.returncode == 0, r.stderr
    chosen = json.loads(r.stdout)
    assert chosen["block"] == {"number": 2, "kind": "progress"}
    assert chosen["start_date"] == start

    status = json.loads(run(env, "block", "--json").stdout)
    assert status["number"] == 2 and not status["review_due"]
    assert [b["number"] for b in status["history"]] == [1, 2]
    assert status["plan_start"] == start
    today = json.loads(run(env, "today", "--json").stdout)
    assert today["status"] == "not_started" and today["next_date"] == start

    text = run(env, "block").stdout
    assert "Block 2 (progress)" in text and "You chose: progress" in text


def test_the_retest_prints_before_and_after_at_60_columns(env):
    _finished_block(env)
    r = run({**env, "COLUMNS": "60"}, "block", "retest", *RETEST)
    assert r.returncode == 0, r.stderr
    assert all(len(line) <= 60 for line in r.stdout.splitlines()), r.stdout
    assert "Before and after" in r.stdout and "better" in r.stdout
    assert "(suggested)" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("retest", "--thomas-left", "maybe", "--no-input"), "--thomas-left"),
        (("retest", "--hold-right", "400", "--no-input"), "--hold-right"),
        (("retest", "--pain", "11", "--no-input"), "--pain"),
        (("next", "--choice", "sideways"), "choice"),
    ],
)
def test_bad_answers_name_the_field(env, args, message):
    _ = run(env, "init", "--profile", str(PROFILE))
    r = run(env, "block", *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_the_retest_waits_for_the_end_of_the_block(env):
    assert run(env, "init", "--profile", str(PROFILE)).returncode == 0
    r = run(env, "block", "retest", *RETEST)
    assert r.returncode == 2 and "end of a block" in r.stderr


def test_maintain_from_today_and_the_terminal_player_says_the_block(env):
    _finished_block(env)
    assert run(env, "block", "retest", *RETEST).returncode == 0
    r = run(env, "block", "next", "--choice", "maintain", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["block"] == {"number": 2, "kind": "maintain"}
    today = json.loads(run(env, "today", "--json").stdout)
    assert today["status"] == "session" and today["block"]["number"] == 2
    r = run(env, "session", "--no-input", "--no-red-flags", "--fast", "1000")
    assert r.returncode == 0, r.stderr
    assert "Block 2, week 1 of 6" in r.stdout
