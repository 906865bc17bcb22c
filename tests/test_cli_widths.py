"""Every table and panel the CLI prints reads well in a terminal 80 and 60 columns wide
(issue 16 item 3): no line is wider than the terminal, no id or dose is wrapped or cut
with an ellipsis, and long prose (why an exercise is in the plan, a summary, a reason)
appears in full, wrapped between words on lines that use the width.

The commands that only read content run in this process through Typer's CliRunner, on
psoas's own console set to the width; the commands over a store run as `psoas` processes
with COLUMNS set, as a shell runs them, on one seeded store for the module.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from psoas.cli import render
from psoas.cli.app import app
from psoas.cli.render import dose_fields, dose_text
from psoas.cli.session import frame
from psoas.cli.tables import RowTable
from psoas.core.content.loader import catalog
from psoas.core.planning.planner import build_plan
from psoas.core.player.machine import Player, doses_from_plan_session
from psoas.core.profile import load_profile_text
from psoas.core.screening.referral import questions_to_ask
from tests.test_cli import PSOAS
from tests.test_player_machine import FakeClock

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
DESK = ROOT / "examples" / "desk_worker.json"
WIDTHS = (80, 60)
PSFS = ("--psfs", "walking=4", "--psfs", "sitting=5", "--psfs", "stairs=3")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


# What every output must satisfy ---------------------------------------------------------


def checked(out: str, width: int) -> str:
    """The output without colour codes, after checking that no line is wider than the
    terminal and that nothing was cut short with an ellipsis."""
    out = ANSI.sub("", out)
    for line in out.splitlines():
        assert cell_len(line) <= width, f"{cell_len(line)} columns at {width}: {line!r}"
    assert "…" not in out, "something was cut short with an ellipsis"
    return out


def answered(out: str) -> str:
    """Output of questions answered through a pipe: a terminal echoes the typed answer and
    its Enter after a prompt (which ends in "]: " or "): "), a pipe does not; break the
    line there as the terminal would."""
    return re.sub(r"([\])]): ", r"\1:\n", out)


def assert_whole(out: str, token: str) -> None:
    """An id or a dose appears on one line, not broken across two."""
    pattern = rf"(?<![\w-]){re.escape(token)}(?![\w-])"
    assert re.search(pattern, out), f"{token!r} is not whole on any line"


def words_of(out: str) -> str:
    """The output's words with a panel's side borders and every line break taken out."""
    return " ".join(out.replace("│", " ").split())


def assert_said(out: str, text: str) -> None:
    assert " ".join(text.split()) in words_of(out), f"not in full: {text[:80]!r}"


def assert_prose(out: str, text: str, width: int) -> None:
    """The text appears in full, on lines that use the width: every line it runs over
    but its last is more than half full (a squeezed column shows a word or two a line)."""
    words = text.split()
    lines = out.splitlines()
    tokens = [(n, w) for n, line in enumerate(lines) for w in line.replace("│", " ").split()]
    stream = [w for _, w in tokens]
    for k in range(len(stream) - len(words) + 1):
        if stream[k : k + len(words)] == words:
            first, last = tokens[k][0], tokens[k + len(words) - 1][0]
            short = [line for line in lines[first:last] if len(words_of(line)) <= width // 2]
            assert not short, f"prose squeezed at {width} columns: {short}"
            return
    raise AssertionError(f"not in full: {text[:80]!r}")


# Content commands, in this process ---------------------------------------------------------

runner = CliRunner()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}cols")
def width(request):
    """psoas's console at the width a terminal of that size gives it (COLUMNS reaches it
    the same way: see the process tests below)."""
    before = render.console.width
    render.console.width = request.param
    yield request.param
    render.console.width = before


def psoas_in_process(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_plan_reads_well(width, path):
    plan = build_plan(load_profile_text(path.read_text()))
    code = 3 if plan["status"] == "refer" else 0
    out = checked(psoas_in_process("plan", "--profile", str(path), code=code), width)
    if plan["status"] == "refer":
        assert_prose(out, plan["referral"]["message"], width)
        for reason in plan["referral"]["reasons"]:
            assert_said(out, reason["question"])
        return
    for week in plan["weeks"]:
        for session in week["sessions"]:
            for ex in session["exercises"]:
                assert_whole(out, ex["id"])
                assert dose_text(ex) in out, f"dose {dose_text(ex)!r} broken or missing"
                assert_prose(out, ex["why"], width)
    for sub in plan["substitutions"]:
        assert_whole(out, sub["from"])
        assert_whole(out, sub["to"])
        assert_said(out, sub["reason"])
    for ex in plan["excluded"]:
        assert_whole(out, ex["id"])
        assert_said(out, ex["reason"])


def test_exercise_list_keeps_every_id_whole(width):
    out = checked(psoas_in_process("exercises"), width)
    for ex in catalog().exercises.values():
        assert_whole(out, ex.id)
        assert_said(out, ex.name)


def test_every_exercise_page_reads_well(width):
    for ex in catalog().exercises.values():
        out = checked(psoas_in_process("exercise", ex.id), width)
        for label, value in dose_fields(ex):
            if label != "Needs":  # a list of equipment ids may wrap between them
                assert re.search(rf"{label}\s+{re.escape(value)}\s", out), (label, value)
        for other in (*ex.regressions, *ex.progressions, *ex.substitutes):
            assert_whole(out, other)
        for step in ex.steps:
            assert_said(out, step)
        assert_prose(out, ex.target_note, width)


def test_topics_and_self_tests_read_well(width):
    cat = catalog()
    out = checked(psoas_in_process("learn"), width)
    for topic in cat.topics.values():
        assert_whole(out, topic.id)
        assert_prose(out, topic.summary, width)
    for test in cat.self_tests.values():
        assert_whole(out, test.id)
        assert_prose(out, test.purpose, width)
    for topic in cat.topics.values():
        out = checked(psoas_in_process("learn", topic.id), width)
        for claim in topic.claims:  # a panel title used to cut a long claim short
            assert_said(out, claim.claim)
    for test in cat.self_tests.values():
        out = checked(psoas_in_process("learn", test.id), width)
        for step in test.steps:
            assert_said(out, step)


def test_every_player_screen_fits(width):
    """Each screen of `psoas session` (what Rich Live draws on psoas's console), through
    a whole session of the plan's longest names and doses."""
    names = {e.id: e.name for e in catalog().exercises.values()}
    for path in EXAMPLES:
        plan = build_plan(load_profile_text(path.read_text()))
        for week in plan["weeks"][:1]:
            for session in week["sessions"]:
                clock = FakeClock()
                player = Player(doses_from_plan_session(session), clock)
                player.start()
                screens = 0
                while player.state.value == "running":
                    view = player.view()
                    out = checked(_draw(frame(view, names), width), width)
                    assert names[view.step.exercise_id] in out
                    assert "[p] pause  [s] skip  [x] it hurts: stop  [q] quit" in out
                    clock.t += view.seconds_left + 0.01
                    player.tick()
                    screens += 1
                assert screens > len(session["exercises"])
                checked(_draw(frame(player.view(), names), width), width)


def _draw(renderable, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def test_a_table_too_narrow_for_its_columns_stacks_each_row():
    """Side by side when the columns fit; else each field on a line of its own, the id
    and the dose still whole, the note wrapped under them."""
    table = RowTable("Exercise", "Dose", wrap=0)
    name, ex_id, dose = (
        "Seated chair hip flexor stretch",
        "seated_chair_hip_flexor_stretch",
        "1 x 10 reps each side, 3 s pause",
    )
    note = "A reason that runs on for a while, long enough to wrap at forty columns."
    table.add_row(f"{name}\n{ex_id}", dose, note=note)
    wide = checked(_draw(table, 80), 80).splitlines()
    assert wide[2].split() == [*name.split(), *dose.split()]
    assert wide[3].strip() == ex_id
    narrow = [line.strip() for line in checked(_draw(table, 40), 40).splitlines()]
    assert narrow[:3] == [name, ex_id, dose]
    assert_prose("\n".join(narrow[3:]), note, 40)


# Store commands, as processes -------------------------------------------------------------


def psoas(store: dict[str, str], width: int, *args: str, stdin: str | None = None):
    return subprocess.run(
        [PSOAS, *args],
        capture_output=True,
        text=True,
        env={**store, "COLUMNS": str(width), "NO_COLOR": "1"},
        input=stdin,
        timeout=120,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One store with a plan, a session done in the player, one logged by hand and a
    check-in with the weekly activity check, so every table has rows."""
    env = {**os.environ, "PSOAS_DATA_DIR": str(tmp_path_factory.mktemp("widths") / "data")}
    env.pop("PSOAS_DATABASE_URL", None)
    start = date.today() - timedelta(days=3)
    steps = [
        ("init", "--profile", str(DESK), "--start", start.isoformat()),
        ("log", "--date", start.isoformat(), "--pain-before", "4", "--pain-after", "3"),
        ("session", "--no-input", "--no-red-flags", "--fast", "1000", "--pain-after", "2"),
        ("checkin", "--pain", "3", "--no-red-flags", "--no-input", *PSFS),
    ]
    for args in steps:
        r = psoas(env, 120, *args)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return env


@pytest.mark.parametrize("width", WIDTHS, ids=lambda w: f"{w}cols")
def test_plan_honours_columns(width):
    """COLUMNS reaches psoas's console: the same checks as in process, in a real process."""
    plan = build_plan(load_profile_text(DESK.read_text()))
    r = psoas(dict(os.environ), width, "plan", "--profile", str(DESK))
    assert r.returncode == 0, r.stderr
    out = checked(r.stdout, width)
    assert max(cell_len(line) for line in out.splitlines()) > width - 10  # the width is used
    for ex in plan["weeks"][0]["sessions"][0]["exercises"]:
        assert_whole(out, ex["id"])
        assert dose_text(ex) in out
        assert_prose(out, ex["why"], width)


def test_today_history_progress_read_well(store):
    """Each command's JSON says what must appear; its tables are read at both widths."""
    today, history, progress = (
        json.loads(psoas(store, 120, command, "--json").stdout)
        for command in ("today", "history", "progress")
    )
    assert today["status"] == "session"
    assert {h["source"] for h in history} == {"manual", "player"}
    assert progress["achieved"], "the seeded sessions reach something"
    for width in WIDTHS:
        out = text_of(store, width, "today")
        for ex in today["session"]["exercises"]:
            assert_whole(out, ex["id"])
            assert dose_text(ex) in out
            assert_prose(out, ex["why"], width)

        out = text_of(store, width, "history")
        for h in history:
            status = h["status"].replace("_", " ")
            row = rf"^{h['date']}\s+{h['week']}\s+{status}\s+{h['source']}\s"
            assert re.search(row, out, re.M), f"{h['date']} is not one row at {width}"
            for ex_id in {s["exercise_id"] for s in h["sets"]}:
                assert_whole(out, ex_id)

        out = text_of(store, width, "progress")
        for ex in progress["achieved"]:
            assert_said(out, ex["name"])
            for w in ex["weeks"]:
                if w["planned_reps"] is not None:
                    assert_whole(out, f"{w['planned_reps']:g} reps")
                else:
                    assert_whole(out, f"{w['planned_hold_s'] or 0:g} s")
        assert_prose(out, progress["pain"]["change"]["message"], width)


def text_of(store: dict[str, str], width: int, command: str) -> str:
    r = psoas(store, width, command)
    assert r.returncode == 0, r.stderr
    return checked(r.stdout, width)


@pytest.mark.parametrize("width", WIDTHS, ids=lambda w: f"{w}cols")
def test_checkin_and_log_read_well(store, width):
    from psoas.web.tracking.warning_signs import sign_text

    r = psoas(store, width, "checkin", "--pain", "3", stdin="none\n")
    assert r.returncode == 0, r.stdout + r.stderr
    out = checked(answered(r.stdout), width)
    profile = load_profile_text(DESK.read_text())
    for flag in questions_to_ask(profile, catalog(), every_session_only=True):
        assert_prose(out, sign_text(flag), width)
    day = date.today() - timedelta(days=1 if width == 80 else 2)
    r = psoas(store, width, "log", "--date", day.isoformat(), "--pain-before", "3")
    assert r.returncode == 0, r.stderr
    checked(r.stdout, width)


@pytest.mark.parametrize("width", WIDTHS, ids=lambda w: f"{w}cols")
def test_screen_lists_and_self_test_panels_read_well(tmp_path, width):
    """The screen's questions with numbered answers and the self-test panels, answered
    through stdin: Enter for no condition, limit, equipment or activity, then the
    self-tests, skipped."""
    cat = catalog()
    answers = "\n" * 5 + "y\nskip\nskip\n\n\n"
    r = psoas(
        {**os.environ, "PSOAS_DATA_DIR": str(tmp_path / "data")},
        width,
        "screen",
        "--out",
        str(tmp_path / "profile.json"),
        "--age",
        "40",
        "--not-pregnant",
        "--no-red-flags",
        "--minutes",
        "15",
        "--sitting-hours",
        "8",
        "--balance",
        "good",
        "--pain",
        "3",
        stdin=answers,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    out = checked(answered(r.stdout), width)
    for c in cat.conditions.values():
        if not c.id.startswith("hip_replacement"):
            assert_prose(out, c.question, width)
    for test in cat.self_tests.values():
        for step in test.steps:
            assert_said(out, step)
