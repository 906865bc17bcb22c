"""The CLI through the installed `psoas` entry point, in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PSOAS = shutil.which("psoas", path=str(Path(sys.executable).parent)) or shutil.which("psoas")


def run(*args: str, stdin: str | None = None, cwd: Path | None = None):
    assert PSOAS, "the psoas entry point is not installed"
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [PSOAS, *args], capture_output=True, text=True, input=stdin, timeout=60, cwd=cwd, env=env
    )


def test_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("plan", "exercises", "exercise", "learn", "schema", "screen"):
        assert cmd in r.stdout


def test_plan_json_for_every_example_matches_contract():
    for path in EXAMPLES.glob("*.json"):
        r = run("plan", "--profile", str(path), "--json")
        plan = json.loads(r.stdout)
        assert plan["schema"] == "psoas.plan/1"
        if "red_flag" in path.name:
            assert r.returncode == 3 and plan["status"] == "refer"
        else:
            assert r.returncode == 0, r.stderr
            assert len(plan["weeks"]) == 6


def test_plan_table_is_readable():
    r = run("plan", "--profile", str(EXAMPLES / "desk_worker.json"))
    assert r.returncode == 0
    assert "Week 1" in r.stdout and "Week 6" in r.stdout
    assert "Kneeling hip flexor stretch" in r.stdout


def test_red_flag_exits_3_with_the_referral():
    r = run("plan", "--profile", str(EXAMPLES / "red_flag.json"))
    assert r.returncode == 3
    assert "emergency" in r.stdout.lower()


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"schema": "psoas.profile/1", "age": 300}', "'age'"),
        ('{"schema": "psoas.profile/1", "pain": {"nprs": 11}}', "'pain.nprs'"),
        ('{"schema": "psoas.profile/1", "minutes_per_session": -10}', "'minutes_per_session'"),
        ('{"schema": "psoas.profile/1", "age": "old"}', "'age'"),
        ('{"schema": "psoas.profile/1", "shoe_size": 9}', "'shoe_size'"),
        ('{"schema": "psoas.profile/1", "conditions": ["gout"]}', "'conditions[0]'"),
        ('{"schema": "psoas.profile/1", ', "not valid JSON"),
    ],
)
def test_bad_profile_exits_2_with_one_line(tmp_path, content, field):
    path = tmp_path / "p.json"
    path.write_text(content)
    r = run("plan", "--profile", str(path))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_missing_file_and_bad_options_exit_2(tmp_path):
    r = run("plan", "--profile", str(tmp_path / "nope.json"))
    assert r.returncode == 2 and "does not exist" in r.stderr
    r = run("exercises", "--kind", "yoga")
    assert r.returncode == 2 and "allowed: stretch, strength, release" in r.stderr
    r = run("exercise", "moonwalk")
    assert r.returncode == 2 and "unknown exercise 'moonwalk'" in r.stderr
    r = run("learn", "astrology")
    assert r.returncode == 2 and "unknown topic" in r.stderr
    r = run("schema", "banana")
    assert r.returncode == 2 and "profile, plan" in r.stderr
    r = run("plan")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_exercises_list_and_filter():
    r = run("exercises", "--kind", "release", "--json")
    data = json.loads(r.stdout)
    assert data and {e["kind"] for e in data} == {"release"}
    r = run("exercises")
    assert "glute_bridge" in r.stdout


def test_exercise_page_shows_steps_stop_signs_and_who_should_not():
    r = run("exercise", "foam_roll_tfl")
    assert r.returncode == 0
    assert "How to do it" in r.stdout and "Stop if" in r.stdout
    assert "Taking blood thinners" in r.stdout
    data = json.loads(run("exercise", "glute_bridge", "--json").stdout)
    assert data["id"] == "glute_bridge" and data["sources"]


def test_learn_lists_and_shows_topics_with_grades():
    r = run("learn")
    assert "anatomy" in r.stdout and "modified_thomas_test" in r.stdout
    r = run("learn", "claims")
    assert "UNSUPPORTED" in r.stdout
    data = json.loads(run("learn", "anatomy", "--json").stdout)
    assert data["sections"]
    r = run("learn", "hip_flexor_hold_test")
    assert r.returncode == 0 and "Steps" in r.stdout


def test_schemas_are_json_schema_with_enums():
    prof = json.loads(run("schema", "profile").stdout)
    assert "anticoagulants" in json.dumps(prof) and prof["title"].startswith("psoas profile")
    plan = json.loads(run("schema", "plan").stdout)
    assert "glute_bridge" in json.dumps(plan)


def test_screen_by_flags_writes_a_profile_that_plans(tmp_path):
    out = tmp_path / "me.json"
    r = run(
        "screen",
        "--no-input",
        "--out",
        str(out),
        "--age",
        "41",
        "--no-red-flags",
        "--condition",
        "anticoagulants",
        "--limit",
        "no_kneeling",
        "--equipment",
        "chair",
        "--minutes",
        "12",
        "--sitting-hours",
        "8",
        "--thomas-left",
        "positive",
        "--hold-left",
        "20",
        "--hold-right",
        "21",
        "--pain",
        "3",
    )
    assert r.returncode == 0, r.stderr
    profile = json.loads(out.read_text())
    assert profile["conditions"] == ["anticoagulants"]
    assert profile["assessment"]["thomas_test"] == {"left": "positive"}
    r = run("plan", "--profile", str(out), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["classification"] == "tight"


def test_screen_needs_an_explicit_red_flag_answer(tmp_path):
    out = tmp_path / "me.json"
    r = run("screen", "--no-input", "--out", str(out), "--age", "41")
    assert r.returncode == 2 and "--no-red-flags" in r.stderr
    assert not out.exists()


def test_screen_red_flag_flag_refers_with_exit_3(tmp_path):
    out = tmp_path / "me.json"
    r = run("screen", "--no-input", "--out", str(out), "--red-flag", "saddle_numbness")
    assert r.returncode == 3
    assert json.loads(out.read_text())["red_flags"] == ["saddle_numbness"]


def test_screen_bad_flag_value_names_it(tmp_path):
    r = run(
        "screen",
        "--no-input",
        "--out",
        str(tmp_path / "x.json"),
        "--no-red-flags",
        "--condition",
        "gout",
    )
    assert r.returncode == 2 and "conditions[0]" in r.stderr
    r = run(
        "screen", "--no-input", "--out", str(tmp_path / "x.json"), "--no-red-flags", "--pain", "11"
    )
    assert r.returncode == 2 and "pain.nprs" in r.stderr


def test_screen_interactive_answers_from_stdin(tmp_path):
    out = tmp_path / "me.json"
    # age, pregnant?, birth?, conditions, hip, then every red-flag question "n",
    # limits, equipment, minutes, sitting, activities, do tests?, pain.
    answers = ["35", "n", "n", "", "no"] + ["n"] * 40
    r = run(
        "screen",
        "--out",
        str(out),
        "--skip-tests",
        "--balance",
        "good",
        "--limit",
        "no_floor",
        "--equipment",
        "chair",
        "--minutes",
        "10",
        "--sitting-hours",
        "7",
        "--activity",
        "cycling",
        "--pain",
        "2",
        stdin="\n".join(answers) + "\n",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    profile = json.loads(out.read_text())
    assert profile["age"] == 35 and profile["red_flags"] == []
    assert profile["limits"] == ["no_floor"] and profile["balance"] == "good"


def red_flag_questions(age: int, conditions: list[str]) -> list:
    from types import SimpleNamespace

    from psoas.core.content.loader import catalog
    from psoas.core.screening.referral import questions_to_ask

    p = SimpleNamespace(age=age, conditions=conditions, pregnancy_weeks=None, postpartum_weeks=None)
    return questions_to_ask(p, catalog())


def condition_number(cid: str) -> str:
    """The number `psoas screen` shows for a condition (hip replacements are asked apart)."""
    from psoas.core.content.loader import catalog

    ids = [c for c in catalog().conditions if not c.startswith("hip_replacement_")]
    return str(ids.index(cid) + 1)


SCRIPTED = ("--skip-tests", "--no-limits", "--no-equipment", "--minutes", "10")
SCRIPTED += ("--sitting-hours", "7", "--activity", "walking", "--pain", "2")


@pytest.mark.parametrize(
    ("said", "balance"), [("yes", "good"), ("no", "poor"), ("not sure", None), ("NO", "poor")]
)
def test_screen_asks_about_balance(tmp_path, said, balance):
    out = tmp_path / "me.json"
    flags = red_flag_questions(70, [])
    # age, pregnant?, birth?, conditions, hip, every red-flag question, balance
    answers = ["70", "n", "n", "", "no"] + ["n"] * len(flags) + [said]
    r = run("screen", "--out", str(out), *SCRIPTED, stdin="\n".join(answers) + "\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "stand on one leg for 10 seconds" in r.stdout
    assert json.loads(out.read_text()).get("balance") == balance


def test_screen_not_sure_of_the_hip_cut_takes_every_approach_and_asks_surgery_questions(
    tmp_path,
):
    out = tmp_path / "me.json"
    flags = red_flag_questions(70, ["recent_surgery"])
    surgery = [q for q in flags if q.ask_when == "recent_surgery"]
    assert {q.id for q in surgery} >= {"surgery_not_cleared", "surgery_wound_or_fever"}
    answers = ["70", "n", "n", condition_number("recent_surgery"), "not sure", "6"]
    answers += ["n"] * len(flags) + ["yes"]
    r = run("screen", "--out", str(out), *SCRIPTED, stdin="\n".join(answers) + "\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "where was the cut?" in r.stdout and "How many weeks ago" in r.stdout
    said = " ".join(r.stdout.split())
    for q in surgery:  # the follow-ups for a recent surgery were asked
        assert " ".join(q.question.split())[:40] in said
    profile = json.loads(out.read_text())
    assert profile["conditions"] == [
        "recent_surgery",
        "hip_replacement_posterior",
        "hip_replacement_lateral",
        "hip_replacement_anterior",
    ]
    assert profile["hip_replacement_weeks"] == 6 and profile["balance"] == "good"


def test_screen_hip_cut_at_the_side_and_no_end_date(tmp_path):
    out = tmp_path / "me.json"
    flags = red_flag_questions(50, [])
    answers = ["50", "n", "n", "", "side", ""] + ["n"] * len(flags)  # weeks left empty
    r = run(
        "screen", "--out", str(out), *SCRIPTED, "--balance", "unknown",
        stdin="\n".join(answers) + "\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "stand on one leg" not in r.stdout  # --balance answered it
    profile = json.loads(out.read_text())
    assert profile["conditions"] == ["hip_replacement_lateral"]
    assert "hip_replacement_weeks" not in profile and "balance" not in profile


def test_screen_balance_and_hip_weeks_by_flags(tmp_path):
    out = tmp_path / "me.json"
    r = run(
        "screen", "--no-input", "--out", str(out), "--age", "72", "--no-red-flags",
        "--condition", "hip_replacement_anterior", "--hip-replacement-weeks", "9",
        "--balance", "poor",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    profile = json.loads(out.read_text())
    assert profile["balance"] == "poor" and profile["hip_replacement_weeks"] == 9
    r = run("plan", "--profile", str(out), "--json")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--balance", "ok"), "--balance: 'ok' is not allowed"),
        (("--balance", "not sure"), "--balance"),
        (
            ("--condition", "hip_replacement_lateral", "--hip-replacement-weeks", "-1"),
            "--hip-replacement-weeks: '-1' is not allowed",
        ),
        (
            ("--condition", "hip_replacement_lateral", "--hip-replacement-weeks", "521"),
            "--hip-replacement-weeks",
        ),
        (
            ("--condition", "hip_replacement_lateral", "--hip-replacement-weeks", "six"),
            "--hip-replacement-weeks",
        ),
        (("--hip-replacement-weeks", "6"), "--hip-replacement-weeks: goes with a hip replacement"),
    ],
)
def test_screen_bad_balance_or_hip_weeks_exits_2_naming_the_flag(tmp_path, flags, named):
    out = tmp_path / "me.json"
    r = run("screen", "--no-input", "--out", str(out), "--no-red-flags", *flags)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], r.stderr
    assert not out.exists()


def test_screen_interactive_yes_to_a_red_flag_refers(tmp_path):
    out = tmp_path / "me.json"
    answers = ["60", "n", "n", "", "no", "y"]
    r = run("screen", "--out", str(out), stdin="\n".join(answers) + "\n")
    assert r.returncode == 3, r.stdout + r.stderr
    assert len(json.loads(out.read_text())["red_flags"]) == 1


def test_help_imports_neither_content_nor_django():
    code = (
        "import sys; sys.argv = ['psoas', '--help']\n"
        "from psoas.cli.app import app\n"
        "try:\n    app(prog_name='psoas')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('django', 'yaml', 'psoas.core'))))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip().splitlines()[-1] == "[]"
