"""`psoas report` through the installed CLI: a real database, sessions and check-ins logged
as a person would, then the PDF read back with poppler-utils (pdftotext, pdfinfo,
pdfimages, pdftoppm), the way a physiotherapist's screen or printer sees it.

Page images go to test-artifacts/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
from datetime import date, timedelta

import pytest

from tests.test_tracking_cli import DESK, ROOT, run

pytestmark = pytest.mark.store

ARTIFACTS = ROOT / "test-artifacts"


def ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def ok(result) -> None:
    assert result.returncode == 0, result.stdout + result.stderr


def poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def flat(text: str) -> str:
    """pdftotext's text with every run of white space as one space: table cells wrap."""
    return " ".join(text.split())


def dose(ex: dict) -> str:
    if ex["reps"] is not None:
        return f"{ex['sets']} x {ex['reps']} reps"
    return f"{ex['sets']} x {ex['hold_s']} s hold"


def log_two_weeks(env) -> None:
    """Twelve days of a desk worker's daily plan (strength on days 0, 2 and 4 of each week):
    six sessions; on day 7, the first of week 2, a glute bridge that hurt (pain during 7),
    so autoregulation does it at week 1's dose on day 9. Notes, check-ins from 4 down to
    2, and two activity checks (PSFS) from a mean of 3 up to 6."""
    ok(run(env, "init", "--profile", str(DESK), "--start", ago(12)))
    pain = ("--pain-before", "4", "--pain-after", "3")
    ok(run(env, "log", "--date", ago(12), *pain))
    ok(run(env, "log", "--date", ago(11), *pain, "--notes", "Tight on the left after a drive."))
    ok(run(env, "log", "--date", ago(9), *pain))
    ok(run(env, "log", "--date", ago(7), "--pain-before", "3", "--pain-after", "2"))
    hurt = ("--exercise", "glute_bridge", "--pain-during", "7", "--pain-before", "5")
    ok(run(env, "log", "--date", ago(5), *hurt))
    checkin = ("checkin", "--no-red-flags", "--no-input")
    psfs = ("--psfs", "walking=3", "--psfs", "sitting=4", "--psfs", "stairs=2")
    note = ("--note", "Slept better this week.")
    ok(run(env, *checkin, "--pain", "3", "--date", ago(5), *psfs, *note))
    ok(run(env, "log", "--date", ago(3), "--pain-before", "3", "--pain-after", "2"))
    psfs = ("--psfs", "walking=6", "--psfs", "sitting=7", "--psfs", "stairs=5")
    ok(run(env, *checkin, "--pain", "2", "--date", ago(1), *psfs))


def test_report_for_a_physiotherapist(env, tmp_path):
    log_two_weeks(env)
    out = tmp_path / "report.pdf"
    out.write_bytes(b"an older report")  # replaced whole, by a rename
    r = run(env, "report", "--out", str(out), "--json")
    ok(r)
    info = json.loads(r.stdout)
    assert info == {"path": str(out), "pages": 2, "bytes": out.stat().st_size}
    assert [p.name for p in tmp_path.iterdir() if p.name != "data"] == ["report.pdf"]
    assert re.search(r"^Pages:\s+2$", poppler("pdfinfo", str(out)), re.M)

    text = flat(poppler("pdftotext", str(out), "-"))
    today = date.today().isoformat()
    assert f"Covers {ago(12)} to {today}" in text and f"Made on {today}" in text
    assert "Page 1 of 2" in text and "Page 2 of 2" in text
    assert "Hip flexors: tight" in text and "None answered yes." in text
    # the block in force, its first and last session days; no blocks page before a re-test
    last = (date.today() + timedelta(days=29)).isoformat()  # six weeks of daily sessions
    assert f"Block 1 (first block), {ago(12)} to {last}, now in week 2 of 6" in text
    assert "Re-test due" not in text and "Blocks of six weeks" not in text

    plan = json.loads(run(env, "plan", "--profile", str(DESK), "--json").stdout)
    assert "plan week 2 of 6" in text
    for session in plan["weeks"][1]["sessions"]:
        for ex in session["exercises"]:
            assert ex["name"] in text and dose(ex) in text, ex

    progress = json.loads(run(env, "progress", "--json").stdout)["adherence"]
    done, due = progress["done"], progress["scheduled"]
    assert (done, due) == (6, 12)  # today is due only once it is done
    assert f"Done {done} of {due} planned sessions ({round(100 * done / due)} %)" in text
    weeks = [f"{w['done']} of {w['scheduled']}" for w in progress["weeks"]]
    assert all(w in text for w in weeks)  # above the bars (calendar weeks: Monday to Sunday)

    assert "At the start 4 · Latest 2" in text and "Change -2" in text
    assert "Minimal important change: 2 points, or 30 % better. This change reaches it." in text
    assert "changes smaller than the minimal important change" in text
    psfs = "Patient-Specific Functional Scale (PSFS) (2 answered) 3 6 +3 Yes: smallest real change"
    assert psfs in text

    # One table row: exercise, painful sessions, worst pain, last painful, easier dose, next.
    rows = flat(poppler("pdftotext", "-layout", str(out), "-"))
    stepped = rows.split("Exercises stepped back for pain", 1)[1].split("Notes", 1)[0]
    row = f"Glute bridge 1 7 of 10 {ago(5)} 1 Still 1 week behind the plan."
    assert row in stepped  # painful once, then once at week 1's dose; next time week 2's

    notes = text.rsplit("Notes", 1)[1]
    assert "Tight on the left after a drive." in notes and "Slept better this week." in notes
    assert "before a logged session" not in notes  # no bookkeeping text among the notes

    # Charts are SVG: vector paths and text in the PDF, so no embedded image at all.
    images = poppler("pdfimages", "-list", str(out)).splitlines()
    assert len(images) == 2, images  # the two header lines only
    assert "100 %" in text and "10 8 6 4 2 0" in text  # the charts' axis labels, as text

    ARTIFACTS.mkdir(exist_ok=True)
    poppler("pdftoppm", "-png", "-r", "80", str(out), str(ARTIFACTS / "report-page"))
    gray = subprocess.run(
        ["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", str(out)],
        capture_output=True,
        check=True,
    ).stdout
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", gray)
    pixels = gray[header.end() :]
    assert len(pixels) == int(header[1]) * int(header[2])
    assert statistics.pstdev(pixels) > 20  # text, tables and bars, not a blank page
    assert sum(p < 224 for p in pixels) > 0.03 * len(pixels)  # ink on 3 % of the page


def test_report_after_a_red_flag_shows_it_and_no_program(env, tmp_path):
    ok(run(env, "init", "--profile", str(DESK), "--start", ago(3)))
    r = run(env, "checkin", "--pain", "6", "--red-flag", "both_legs_symptoms", "--date", ago(1))
    assert r.returncode == 3
    out = tmp_path / "referral.pdf"
    r = run(env, "report", "--out", str(out), "--json")
    ok(r)
    assert json.loads(r.stdout)["pages"] == 2
    text = flat(poppler("pdftotext", str(out), "-"))
    assert f"Yes check-in {ago(1)}" in text and "emergency" in text
    assert "The program is stopped" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2024-13-01"), "--from: '2024-13-01' is not a date"),
        (("--to", "yesterday"), "--to: 'yesterday' is not a date"),
        (("--to", "2999-01-01"), "--to: 2999-01-01 is in the future"),
        (("--from", ago(1), "--to", ago(3)), f"--from: {ago(1)} is after --to ({ago(3)})"),
        (("--out", "{tmp}/missing/report.pdf"), "--out: folder"),
        (("--out", "{tmp}/a-file.txt/report.pdf"), "does not exist"),
        (("--out", "{tmp}"), "is a folder"),
    ],
)
def test_bad_input_exits_2_with_one_line(env, tmp_path, args, message):
    (tmp_path / "a-file.txt").write_text("not a folder")
    args = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    if "--out" not in args:
        args = ("--out", str(tmp_path / "report.pdf"), *args)
    r = run(env, "report", *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.rglob("*.pdf"))


def test_report_needs_a_plan(env, tmp_path):
    r = run(env, "report", "--out", str(tmp_path / "report.pdf"))
    assert r.returncode == 2 and "psoas init" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
