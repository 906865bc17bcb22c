"""`psoas export` through the installed CLI, on a fresh database per test (SQLite, and
PostgreSQL in CI): the CSV tables read back equal `psoas history`, the FHIR bundle
validates as FHIR, and the calendar parses back and recurs on exactly the scheduled days.

FHIR: fhir.resources 8 has no R4 package, only R4B (and R5 by default); R4B keeps R4's
Patient, CarePlan, Observation, QuestionnaireResponse and Bundle, so the bundle is
validated with it. Blocks after week six in every output: tests/test_blocks_outputs.py.
Recurrence: `recurring-ical-events` is not installed, so the rules are expanded with
dateutil, which icalendar itself depends on.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from icalendar import Calendar
from pydantic import ValidationError

from psoas.core.planning.schedule import schedule
from psoas.files import write_all
from tests.test_cli import PSOAS

pytestmark = pytest.mark.store  # runs again on PostgreSQL in CI

ROOT = Path(__file__).resolve().parents[1]
DESK = ROOT / "examples" / "desk_worker.json"
START = date.today() - timedelta(days=10)
NOTE = 'first, "quoted"\nsecond line'
PSFS = ["--psfs", "walking=3", "--psfs", "sitting, long=4", "--psfs", "stairs=2"]
REQUIRED = {  # FHIR R4 elements of cardinality 1..1 in the resources the export makes
    "Bundle": ["type"],
    "Patient": [],
    "CarePlan": ["status", "intent", "subject"],
    "Observation": ["status", "code"],
    "QuestionnaireResponse": ["status"],
}
MODELS = {
    "Patient": Patient,
    "CarePlan": CarePlan,
    "Observation": Observation,
    "QuestionnaireResponse": QuestionnaireResponse,
}


def run(env, *args):
    return subprocess.run([PSOAS, *args], capture_output=True, text=True, env=env, timeout=120)


def ok(env, *args) -> str:
    r = run(env, *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


@pytest.fixture
def plan(env) -> dict:
    """A plan that started 10 days ago, two sessions logged and two check-ins (one with the
    weekly activity check); returns the plan JSON."""
    saved = json.loads(ok(env, "init", "--profile", str(DESK), "--start", day(0), "--json"))
    ok(env, "log", "--date", day(0), "--pain-before", "4", "--pain-after", "3", "--notes", NOTE)
    ok(env, "log", "--date", day(2), "--effort", "too_easy", "--pain-during", "1")
    ok(env, "checkin", "--pain", "5", "--no-red-flags", "--date", day(1), *PSFS, "--note", "ünï")
    ok(env, "checkin", "--pain", "3", "--no-red-flags", "--no-input", "--date", day(5))
    return saved["plan"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def export_csv(env, out: Path, *args: str) -> dict[str, list[dict[str, str]]]:
    summary = json.loads(ok(env, "export", "--format", "csv", "--out", str(out), *args, "--json"))
    tables = {Path(f["path"]).name: read_csv(Path(f["path"])) for f in summary["files"]}
    assert {Path(f["path"]).name: f["rows"] for f in summary["files"]} == {
        name: len(rows) for name, rows in tables.items()
    }
    return tables


def opt(value) -> str:
    return "" if value is None else str(value)


def test_csv_reads_back_as_history(env, plan, tmp_path):
    tables = export_csv(env, tmp_path / "out")
    history = sorted(json.loads(ok(env, "history", "--json")), key=lambda h: h["id"])
    sessions = tables["sessions.csv"]
    keys = ("id", "date", "week", "status", "source", "pain_before", "pain_after")
    assert [{k: r[k] for k in keys} for r in sessions] == [
        {k: opt(h[k]) for k in keys} for h in history
    ]
    assert sessions[0]["notes"] == NOTE
    sets = defaultdict(list)
    for s in tables["exercise_sets.csv"]:
        sets[s["session_id"]].append(s)
    for h in history:
        assert [{k: r[k] for k in h["sets"][0]} for r in sets[str(h["id"])]] == [
            {k: opt(v) for k, v in s.items()} for s in h["sets"]
        ]
        assert {r["date"] for r in sets[str(h["id"])]} == {h["date"]}
    checkins = [(c["date"], c["nprs"], c["note"]) for c in tables["checkins.csv"]]
    assert checkins == [
        (day(0), "4", ""),
        (day(1), "5", "ünï"),
        (day(5), "3", ""),
    ]
    [response] = tables["questionnaires.csv"]
    assert (response["questionnaire_id"], response["date"], float(response["score"])) == (
        "psfs",
        day(1),
        3.0,
    )
    answers = [(a["item_id"], a["answer"]) for a in tables["questionnaire_answers.csv"]]
    assert answers[:4] == [
        ("activity_1_name", "walking"),
        ("activity_1", "3"),
        ("activity_2_name", "sitting, long"),
        ("activity_2", "4"),
    ]
    scheduled = [
        (r["date"], r["week"], r["session_index"]) for r in tables["scheduled_sessions.csv"]
    ]
    expected = [(d.isoformat(), str(w), str(i)) for d, w, i in schedule(plan, START)]
    assert scheduled == expected
    [saved_plan] = tables["plans.csv"]
    assert json.loads(saved_plan["data"]) == plan and saved_plan["active"] == "true"
    assert (saved_plan["block_number"], saved_plan["block_kind"]) == ("1", "first")
    assert tables["block_reviews.csv"] == []  # no block has ended yet
    [profile] = tables["profile_versions.csv"]
    assert json.loads(profile["data"])["age"] == json.loads(DESK.read_text())["age"]


def documented_columns() -> dict[str, list[str]]:
    """Every `### name.csv` section of docs/exports.md and the columns its table lists."""
    columns: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / "docs" / "exports.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### `(\w+\.csv)`", line)
        if heading:
            current = columns.setdefault(heading.group(1), [])
        elif line.startswith("#"):
            current = None
        elif current is not None and line.startswith("| `"):
            current.append(line.split("`")[1])
    return columns


def test_every_csv_column_is_documented(env, tmp_path):
    ok(env, "export", "--format", "csv", "--out", str(tmp_path / "out"))
    headers = {}
    for path in sorted((tmp_path / "out").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            headers[path.name] = next(csv.reader(fh))
    assert headers == documented_columns()


def test_csv_from_to_keeps_the_days_between(env, plan, tmp_path):
    tables = export_csv(env, tmp_path / "out", "--from", day(1), "--to", day(4))
    assert [s["date"] for s in tables["sessions.csv"]] == [day(2)]
    assert {s["date"] for s in tables["exercise_sets.csv"]} == {day(2)}
    assert [c["date"] for c in tables["checkins.csv"]] == [day(1)]
    assert {s["date"] for s in tables["scheduled_sessions.csv"]} == {day(n) for n in range(1, 5)}
    assert len(tables["plans.csv"]) == 1  # plans and profiles are always whole


def test_a_failed_export_changes_no_file(env, plan, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sessions.csv").write_text("old\n")
    (out / "checkins.csv").mkdir()  # this one cannot be written
    r = run(env, "export", "--format", "csv", "--out", str(out))
    assert r.returncode == 2 and r.stderr.startswith("psoas: --out: ")
    assert "checkins.csv' is a folder" in r.stderr  # psoas.files never replaces a folder
    assert len(r.stderr.strip().splitlines()) == 1
    assert (out / "sessions.csv").read_text() == "old\n"
    assert sorted(p.name for p in out.iterdir()) == ["checkins.csv", "sessions.csv"]


def test_a_write_error_midway_leaves_the_old_files(tmp_path, monkeypatch):
    """A full disk on the second file: the first keeps its old content, no temp stays."""
    (tmp_path / "a.csv").write_text("old")
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError):
        write_all({tmp_path / "a.csv": b"new", tmp_path / "b.csv": b"new"})
    assert (tmp_path / "a.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def export_fhir(env, path: Path) -> dict:
    ok(env, "export", "--format", "fhir", "--out", str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def test_fhir_bundle_validates_and_holds_the_scores(env, plan, tmp_path):
    data = export_fhir(env, tmp_path / "bundle.json")
    Bundle.model_validate(data)
    assert data["type"] == "collection"
    resources = [e["resource"] for e in data["entry"]]
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(set(urls)) == len(urls)
    [patient] = [r for r in resources if r["resourceType"] == "Patient"]
    assert "name" not in patient  # local mode's "me" is not a name
    patient_url = urls[resources.index(patient)]
    pain = [r for r in resources if r["resourceType"] == "Observation"]
    assert [(o["effectiveDateTime"], o["valueQuantity"]["value"]) for o in pain] == [
        (day(0), 4),
        (day(1), 5),
        (day(5), 3),
    ]
    for o in pain:
        assert o["status"] == "final" and o["subject"]["reference"] == patient_url
        assert o["code"]["coding"][0] == {
            "system": "http://loinc.org",
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
        assert o["category"][0]["coding"][0]["code"] == "survey"
        assert o["valueQuantity"]["code"] == "{score}"
    [qr] = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    assert qr["status"] == "completed" and qr["authored"] == day(1)
    assert qr["questionnaire"].startswith("https://psoas.example/fhir/Questionnaire/psfs|")
    assert qr["subject"]["reference"] == patient_url
    answers = {i["linkId"]: i["answer"][0] for i in qr["item"]}
    assert answers["activity_2_name"] == {"valueString": "sitting, long"}
    assert answers["activity_2"] == {"valueInteger": 4}
    [care] = [r for r in resources if r["resourceType"] == "CarePlan"]  # the first block
    assert (care["status"], care["intent"], care["title"]) == (
        "active",
        "plan",
        "Block 1: 6 weeks of hip flexor exercises",
    )
    assert care["period"]["start"] == day(0) and care["subject"]["reference"] == patient_url
    assert "replaces" not in care and "note" not in care
    assert urls == [e["fullUrl"] for e in export_fhir(env, tmp_path / "again.json")["entry"]]


def test_fhir_resources_have_their_required_fields(env, plan, tmp_path):
    data = export_fhir(env, tmp_path / "bundle.json")
    for field in REQUIRED["Bundle"]:
        assert data[field]
        with pytest.raises(ValidationError):
            Bundle.model_validate({k: v for k, v in data.items() if k != field})
    for entry in data["entry"]:
        resource = entry["resource"]
        model = MODELS[resource["resourceType"]]
        model.model_validate(resource)
        for field in REQUIRED[resource["resourceType"]]:
            assert resource[field]
            with pytest.raises(ValidationError):
                model.model_validate({k: v for k, v in resource.items() if k != field})


def sessions(cal: Calendar) -> list:
    """The session events: every event but the block's re-test (all day, no rule)."""
    return [ev for ev in cal.events if ev.get("RRULE")]


def occurrences(cal: Calendar) -> list[tuple[datetime, timedelta, str]]:
    """Every occurrence of every session event: its start, its length and its title."""
    out = []
    for ev in sessions(cal):
        rule = rrulestr(ev["RRULE"].to_ical().decode(), dtstart=ev.start)
        out += [(start, ev.duration, str(ev["SUMMARY"])) for start in rule]
    return sorted(out)


@pytest.mark.parametrize(
    ("profile", "events"),
    [
        ("desk_worker", 12),  # doses step up every week: one event per kind and week
        ("pregnant_24_weeks", 7),  # same dose two weeks running: one event spans them
    ],
)
def test_ics_recurs_on_exactly_the_scheduled_days(env, tmp_path, profile, events):
    path = ROOT / "examples" / f"{profile}.json"
    init = ok(env, "init", "--profile", str(path), "--start", day(0), "--json")
    plan = json.loads(init)["plan"]
    out = tmp_path / "plan.ics"
    ok(
        env,
        "export",
        "--format",
        "ics",
        "--out",
        str(out),
        "--time",
        "07:30",
        "--alarm-minutes",
        "15",
    )
    cal = Calendar.from_ical(out.read_bytes())
    assert len(sessions(cal)) == events
    expected = []
    for d, week, index in schedule(plan, START):
        session = plan["weeks"][week - 1]["sessions"][index]
        minutes = timedelta(minutes=math.ceil(session["estimated_minutes"]))
        expected.append((datetime.combine(d, time(7, 30)), minutes, session["name"], week))
    titles = occurrences(cal)
    assert [(d, m) for d, m, _t in titles] == [(d, m) for d, m, _n, _w in expected]
    for (_d, _m, title), (_d2, _m2, name, week) in zip(titles, expected, strict=True):
        found = re.fullmatch(rf"psoas: {name} \(block 1, weeks? (\d)(?: to (\d))?\)", title)
        assert found, title  # "week 3", or "weeks 3 to 4" for an event over several weeks
        assert int(found[1]) <= week <= int(found[2] or found[1]), (title, week)
    # the block's end: one all-day re-test event the day after the last session
    [retest] = [ev for ev in cal.events if not ev.get("RRULE")]
    last = max(d for d, _w, _i in schedule(plan, START))
    assert str(retest["SUMMARY"]) == "psoas: Re-test and choose your next block"
    assert retest.start == last + timedelta(days=1) and "psoas block retest" in str(
        retest["DESCRIPTION"]
    )
    for ev in sessions(cal):
        assert ev.DTSTAMP.tzinfo is not None and ev.start.tzinfo is None  # floating time
        [alarm] = ev.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY" and alarm["TRIGGER"].dt == timedelta(minutes=-15)
    uids = [str(ev["UID"]) for ev in cal.events]
    assert len(set(uids)) == len(uids)
    ok(env, "export", "--format", "ics", "--out", str(out), "--time", "18:00")
    again = Calendar.from_ical(out.read_bytes())
    assert [str(ev["UID"]) for ev in again.events] == uids  # a re-import updates, not copies
    assert {ev.start.time() for ev in sessions(again)} == {time(18, 0)}


def test_ics_describes_the_exercises_in_plain_words(env, plan, tmp_path):
    out = tmp_path / "plan.ics"
    ok(env, "export", "--format", "ics", "--out", str(out))
    first = min(sessions(Calendar.from_ical(out.read_bytes())), key=lambda ev: ev.start)
    text = str(first["DESCRIPTION"])
    assert text.startswith("Block 1, week 1 of 6 of your psoas program. About ")
    session = plan["weeks"][0]["sessions"][0]
    for ex in session["exercises"]:
        assert ex["name"] in text
    assert "2 sets of 30 s on each side" in text and first.start.time() == time(8, 0)


def test_ics_needs_a_plan(env, tmp_path):
    r = run(env, "export", "--format", "ics", "--out", str(tmp_path / "p.ics"))
    assert r.returncode == 2 and "psoas init" in r.stderr


def test_ics_of_a_referral_exits_3(env, tmp_path):
    assert run(env, "init", "--profile", str(ROOT / "examples" / "red_flag.json")).returncode == 3
    r = run(env, "export", "--format", "ics", "--out", str(tmp_path / "p.ics"))
    assert r.returncode == 3 and not (tmp_path / "p.ics").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xml"), "--format: 'xml' is not a format"),
        (("--format", "csv", "--from", "May 1"), "--from: 'May 1' is not a date"),
        (("--format", "csv", "--to", "2026-13-01"), "--to: '2026-13-01' is not a date"),
        (("--format", "fhir", "--from", "2026-05-02", "--to", "2026-05-01"), "--from: 2026"),
        (("--format", "ics", "--time", "25:00"), "--time: '25:00' is not a time"),
        (("--format", "ics", "--alarm-minutes", "-1"), "--alarm-minutes: must be"),
        (("--format", "ics", "--from", "2026-05-01"), "--from: only for"),
        (("--format", "csv", "--time", "07:00"), "--time: only for --format ics"),
        (("--format", "fhir", "--out", "{file}/x.json"), "--out: folder"),
        (("--format", "fhir", "--out", "{dir}"), "--out: "),
        (("--format", "csv", "--out", "{file}"), "--out: "),
    ],
)
def test_bad_input_exits_2_with_one_line(env, tmp_path, args, message):
    (tmp_path / "a_file").write_text("")
    args = [a.format(file=tmp_path / "a_file", dir=tmp_path) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    r = run(env, "export", *args)
    assert r.returncode == 2 and r.stderr.startswith(f"psoas: {message}"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_typed_text_cannot_become_a_spreadsheet_formula():
    from psoas.web.exports.tables import cell

    assert cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert cell("-felt fine") == "'-felt fine" and cell("@me") == "'@me"
    assert cell(["+1", "walk"]) == "'+1;walk"
    assert cell("felt fine = good") == "felt fine = good"
    assert cell(-3) == "-3" and cell(2.5) == "2.5"  # numbers stay numbers
