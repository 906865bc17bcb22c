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


# --- hostile input (reliability probe, findings 8 and 12; issue 11 items 5 and 9) ---------

DESK = EXAMPLES / "desk_worker.json"


def run_in(env, *args: str, stdin: str | None = None, timeout: float = 60, **kw):
    assert PSOAS, "the psoas entry point is not installed"
    return subprocess.run(
        [PSOAS, *args], capture_output=True, text=True, input=stdin, timeout=timeout, env=env, **kw
    )


def refused(r, *named: str) -> str:
    """Exit 2 with one line on stderr that names each of `named`, and no traceback."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("psoas: "), r.stderr
    for name in named:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def profile_versions(env) -> int:
    """How many profile versions `init` has saved: the next init's version number, less 1."""
    r = run_in(env, "init", "--profile", str(DESK), "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["profile_version"] - 1


@pytest.mark.store
@pytest.mark.parametrize("start", ["9999-12-31", "9999-12-01", "3000-01-01"])
def test_init_far_future_start_exits_2_and_saves_nothing(env, start):
    """Probe 8: an OverflowError, and a profile version saved without its plan."""
    refused(run_in(env, "init", "--profile", str(DESK), "--start", start), "--start")
    assert profile_versions(env) == 0


@pytest.mark.parametrize("command", ["plan", "init"])
def test_deeply_nested_profile_exits_2(tmp_path, env, command):
    deep = tmp_path / "deep.json"
    deep.write_text(
        '{"schema":"psoas.profile/1","assessment":' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    refused(run_in(env, command, "--profile", str(deep)), "--profile", "nested")
    objects = tmp_path / "objects.json"
    objects.write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    refused(run_in(env, command, "--profile", str(objects)), "--profile")


def test_profile_that_is_a_device_a_folder_or_a_silent_pipe_exits_2(tmp_path, env):
    """Probe 12: a FIFO or /dev/zero as the profile hung."""
    refused(run_in(env, "plan", "--profile", "/dev/zero", timeout=20), "--profile", "not a file")
    refused(run_in(env, "plan", "--profile", str(tmp_path)), "--profile", "folder")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused(run_in(env, "plan", "--profile", str(fifo), timeout=30), "--profile", "nothing came")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (2 << 20))
    refused(run_in(env, "plan", "--profile", str(big)), "--profile", "larger than")


def test_profile_through_a_pipe_is_read(tmp_path, env):
    """A pipe that delivers (`--profile <(cat desk.json)`) still works."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [PSOAS, "plan", "--profile", str(fifo), "--json"], env=env, stdout=subprocess.PIPE
    )
    with open(fifo, "w") as fh:
        fh.write(DESK.read_text())
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and json.loads(out)["status"] == "ok"


def bad_urls(tmp_path) -> list[str]:
    notdb = tmp_path / "profile.json"
    notdb.write_text(DESK.read_text())
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(50_000))
    return [
        f"sqlite:///{tmp_path}",  # a folder
        "sqlite://",
        "sqlite:///dev/null",
        f"sqlite:///{notdb}",
        f"sqlite:///{noise}",
        "sqlite:///" + "a" * 5000 + ".sqlite3",
        "postgresql://",
        "postgresql://postgres@127.0.0.1:1/x",  # nothing listens on port 1
        "mysql://localhost/x",
    ]


@pytest.mark.parametrize("how", ["option", "variable"])
def test_unusable_database_urls_exit_2_naming_the_option(tmp_path, env, how):
    """Probe 8: 16 tracebacks (OperationalError, DatabaseError, ImproperlyConfigured, ...)."""
    for url in bad_urls(tmp_path):
        if how == "option":
            r = run_in(env, "--database-url", url, "history")
        else:
            r = run_in({**env, "PSOAS_DATABASE_URL": url}, "history")
        refused(r, "--database-url")


def test_unusable_data_folder_exits_2(tmp_path, env):
    afile = tmp_path / "afile"
    afile.write_text("x")
    r = run_in({**env, "PSOAS_DATA_DIR": str(afile / "data")}, "history")
    refused(r, "store")


def test_missing_sqlite_file_needs_create(tmp_path, env):
    """Probe 12: a typo in the path made folders and an empty store, exit 0."""
    target = tmp_path / "some" / "typo" / "x.sqlite3"
    url = f"sqlite:///{target}"
    refused(run_in(env, "--database-url", url, "history"), "--database-url", "--create")
    assert not target.exists() and not target.parent.exists()
    r = run_in(env, "--database-url", url, "--create", "init", "--profile", str(DESK))
    assert r.returncode == 0, r.stderr
    assert target.exists()
    r = run_in(env, "--database-url", url, "today", "--json")  # exists now: no --create
    assert r.returncode == 0 and json.loads(r.stdout)["status"] == "session"


def test_missing_sqlite_file_is_asked_about_at_a_terminal(tmp_path, env):
    import pty

    target = tmp_path / "new.sqlite3"
    for answer, made in (("n", False), ("y", True)):
        main, secondary = pty.openpty()
        os.write(main, f"{answer}\n".encode())
        r = subprocess.run(
            [PSOAS, "--database-url", f"sqlite:///{target}", "history"],
            stdin=secondary, capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        os.close(main)
        os.close(secondary)
        assert "does not exist. Make a new, empty store there?" in " ".join(r.stdout.split())
        assert target.exists() == made
        assert r.returncode == (0 if made else 2), r.stderr


def test_the_default_store_is_still_made_on_first_use(tmp_path, env):
    env = {k: v for k, v in env.items() if k != "PSOAS_DATABASE_URL"}
    r = run_in(env, "history", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == []
    assert (tmp_path / "data" / "psoas.sqlite3").exists()


def test_huge_limit_exits_2(env):
    refused(run_in(env, "history", "--limit", "1" + "0" * 30), "--limit")
    refused(run_in(env, "history", "--limit", "10001"), "--limit")


def seeded(env) -> None:
    from datetime import date, timedelta

    start = (date.today() - timedelta(days=10)).isoformat()
    assert run_in(env, "init", "--profile", str(DESK), "--start", start).returncode == 0
    day = (date.today() - timedelta(days=9)).isoformat()
    assert run_in(env, "log", "--date", day).returncode == 0


def test_damaged_store_exits_2_naming_it(tmp_path, env):
    """Probe 8: a store cut to a third gave DatabaseError tracebacks."""
    if "PSOAS_DATABASE_URL" in env:
        pytest.skip("a damaged file is a SQLite matter")
    seeded(env)
    store = tmp_path / "data" / "psoas.sqlite3"
    for extra in store.parent.glob("psoas.sqlite3-*"):
        extra.unlink()
    with open(store, "r+b") as fh:
        fh.truncate(store.stat().st_size // 3)
    for args in (("history",), ("today",), ("log",), ("progress",)):
        refused(run_in(env, *args), "store", "damaged")


def test_read_only_store_exits_2_and_changes_nothing(tmp_path, env):
    """Probe 8: `psoas log` on a read-only store: OperationalError."""
    if "PSOAS_DATABASE_URL" in env:
        pytest.skip("file permissions are a SQLite matter")
    seeded(env)
    folder = tmp_path / "data"
    before = json.loads(run_in(env, "history", "--json").stdout)
    modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
    drop = []  # root writes anyway; without these capabilities it cannot
    if os.geteuid() == 0:
        drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    try:
        for p in folder.iterdir():
            p.chmod(0o400)
        folder.chmod(0o500)
        r = subprocess.run(
            [*drop, PSOAS, "log"], capture_output=True, text=True, env=env, timeout=60
        )
        refused(r, "store", "cannot write")
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert json.loads(run_in(env, "history", "--json").stdout) == before


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--not-pregnant", "--pregnancy-weeks", "10"), ("--not-pregnant", "--pregnancy-weeks")),
        (("--not-pregnant", "--postpartum-weeks", "4"), ("--not-pregnant", "--postpartum-weeks")),
        (("--equipment", "chair", "--no-equipment"), ("--no-equipment", "--equipment")),
        (("--condition", "osteoporosis", "--no-conditions"), ("--no-conditions", "--condition")),
        (("--limit", "no_floor", "--no-limits"), ("--no-limits", "--limit")),
        (("--red-flag", "saddle_numbness"), ("--no-red-flags", "--red-flag")),
        (("--skip-tests", "--thomas-left", "positive"), ("--skip-tests", "--thomas-left")),
        (("--skip-tests", "--hold-right", "20"), ("--skip-tests", "--hold-right")),
    ],
)
def test_screen_contradictory_flags_exit_2_naming_both(tmp_path, env, flags, named):
    """Probe 12: `--not-pregnant --pregnancy-weeks 10` saved a pregnancy; `--equipment
    chair --no-equipment` saved the chair."""
    out = tmp_path / "me.json"
    r = run_in(env, "screen", "--no-input", "--out", str(out), "--no-red-flags", *flags)
    refused(r, *named)
    assert not out.exists()


@pytest.mark.store
def test_checkin_contradictory_flags_exit_2(env):
    assert run_in(env, "init", "--profile", str(DESK)).returncode == 0
    r = run_in(env, "checkin", "--pain", "2", "--no-red-flags", "--red-flag", "saddle_numbness")
    refused(r, "--no-red-flags", "--red-flag")
    assert run_in(env, "today", "--json").returncode == 0  # the program was not stopped
