"""Blocks after week six in every output, on the real store and real files: a first block
whose six weeks have passed, its sessions logged, its re-test saved, and progress chosen
with a later start. Then the calendar subscription (through the real URLconf, as a
calendar app fetches it, parsed with icalendar), the CSV tables (read back with the csv
module), the FHIR bundle (validated with fhir.resources) and the PDF report (read with
poppler's pdftotext) all show both blocks.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, time, timedelta

import pytest
from dateutil.rrule import rrulestr
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from icalendar import Calendar

from psoas.core.planning.planner import build_plan
from psoas.core.planning.schedule import schedule
from psoas.core.profile import parse_profile
from psoas.web.account.models import CalendarFeed
from psoas.web.exports.fhir import BLOCK_KIND, BLOCK_NUMBER, bundle
from psoas.web.exports.ical import calendar
from psoas.web.exports.reading import Period
from psoas.web.exports.tables import csv_files
from psoas.web.outcomes.services import save_psfs
from psoas.web.programs.blocks import choose, save_review
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.reports.pdf import report_pdf
from psoas.web.tracking.queries import adjusted_session, planned_rows
from psoas.web.tracking.services import log_done_session
from tests.pdf_text import pdf_text
from tests.test_blocks_store import BETTER, PROFILE, PSFS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

TODAY = date.today()
START = TODAY - timedelta(days=50)  # six weeks and a bit ago: the first block is over
RETEST_PSFS = {**PSFS, "activity_1": 7, "activity_2": 6, "activity_3": 8}
RETEST_TITLE = "psoas: Re-test and choose your next block"


def _seed(start: date, review_day=None):
    """Block 1 from `start`: every session before today logged, the activity check at its
    start, and the re-test (by default the day after its last session; pain 5 -> 2,
    activity 3 -> 7)."""
    person = local_person()
    version = save_profile(person, PROFILE)
    plan = save_plan(person, version, build_plan(parse_profile(PROFILE)), start)
    save_psfs(person, start, PSFS)
    for slot in plan.scheduled.filter(date__lt=TODAY):
        info = adjusted_session(plan, slot.date)
        rows = planned_rows(info["session"], pain_during=1)
        log_done_session(
            person,
            plan,
            slot.date,
            info["week"],
            slot.session_index,
            rows,
            pain_before=None,
            pain_after=None,
        )
    day = review_day or _last(plan) + timedelta(days=1)
    return person, plan, save_review(person, plan, day, BETTER, RETEST_PSFS)


def _last(plan) -> date:
    return plan.scheduled.order_by("-date").first().date


@pytest.fixture
def first_block():
    """Block 1 over: its six weeks passed, its sessions logged and its re-test saved."""
    return _seed(START)


def _progress(first_block):
    person, _plan, saved = first_block
    return choose(person, saved, "progress", TODAY + timedelta(days=3), TODAY)


# --- the calendar subscription ------------------------------------------------------------


def _fetch(url: str) -> Calendar:
    r = Client().get(url)  # a calendar app: no session, no cookies
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(r.content)


def _sessions(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.events if e.get("RRULE")}


def _occurrences(events) -> list[tuple[datetime, str]]:
    out = []
    for ev in events:
        rule = rrulestr(ev["RRULE"].to_ical().decode(), dtstart=ev.start)
        out += [(start, str(ev["SUMMARY"])) for start in rule]
    return sorted(out)


def _expected(plan) -> list[datetime]:
    return [datetime.combine(d, time(8, 0)) for d in plan.scheduled.values_list("date", flat=True)]


def test_the_subscription_rolls_on_to_the_next_block_with_stable_uids(first_block):
    person, plan, _saved = first_block
    url = f"/calendar/{CalendarFeed.objects.create(person=person).token}.ics"
    before = _fetch(url)
    block1 = _sessions(before)
    assert all("(block 1, week" in title for _d, title in _occurrences(block1.values()))
    assert [d for d, _ in _occurrences(block1.values())] == _expected(plan)
    [retest] = [e for e in before.events if not e.get("RRULE")]
    assert str(retest["SUMMARY"]) == RETEST_TITLE
    assert retest.start == TODAY  # due since the day after the last session: shown today
    assert retest.end == TODAY + timedelta(days=1)  # one all-day event
    assert str(retest["URL"]) == "http://testserver/block/"
    assert "http://testserver/block/" in str(retest["DESCRIPTION"])

    new = _progress(first_block)
    after = _fetch(url)
    sessions = _sessions(after)
    # block 1's events are the same events (same UID, start and rule), kept as they were
    for uid, ev in block1.items():
        assert uid in sessions, "a block's events keep their UIDs when the next block comes"
        assert sessions[uid].start == ev.start
        assert sessions[uid]["RRULE"].to_ical() == ev["RRULE"].to_ical()
    block2 = [e for uid, e in sessions.items() if uid not in block1]
    assert block2 and all("(block 2, week" in str(e["SUMMARY"]) for e in block2)
    assert [d for d, _ in _occurrences(block2)] == _expected(new)
    assert min(e.start for e in block2) == datetime.combine(new.start_date, time(8, 0))
    first = min(block2, key=lambda e: e.start)
    assert "(block 2, week 1)" in str(first["SUMMARY"])
    assert str(first["DESCRIPTION"]).startswith(
        "Block 2, week 1 of 6 of your psoas program. About "
    ) and "This block steps up from where the last one ended." in str(first["DESCRIPTION"])
    # the re-test moved on: block 1's is gone, block 2's waits after its last session
    [retest2] = [e for e in after.events if not e.get("RRULE")]
    assert str(retest2["UID"]) != str(retest["UID"])
    last = _last(new)
    assert retest2.start == last + timedelta(days=1) and "Block 2" in str(retest2["DESCRIPTION"])

    again = _fetch(url)  # fetched again: the same UIDs, so a calendar app updates
    assert sorted(str(e["UID"]) for e in again.events) == sorted(
        str(e["UID"]) for e in after.events
    )


def test_a_next_block_from_the_last_sessions_day_takes_that_day(tmp_path):
    """Block 1's last session is today, the re-test is done and progress starts today:
    the calendar has one session today, block 2's, and block 1's other days as they were."""
    length = max(d for d, _w, _i in schedule(build_plan(parse_profile(PROFILE)), START)) - START
    person, plan, saved = _seed(TODAY - length, review_day=TODAY)
    assert _last(plan) == TODAY
    new = choose(person, saved, "progress", TODAY, TODAY)
    data, count = calendar(new, time(8, 0), 10, today=TODAY)
    path = tmp_path / "psoas.ics"
    path.write_bytes(data)
    cal = Calendar.from_ical(path.read_bytes())
    assert len(cal.events) == count
    sessions = [e for e in cal.events if e.get("RRULE")]
    days = _occurrences(sessions)
    today = [title for d, title in days if d.date() == TODAY]
    assert len(today) == 1 and "(block 2, week 1)" in today[0]
    earlier = [d for d, title in days if "(block 1," in title]
    assert earlier == [d for d in _expected(plan) if d.date() < TODAY]


# --- CSV ----------------------------------------------------------------------------------


def _tables(person, tmp_path, period=None) -> dict[str, list[dict[str, str]]]:
    out = {}
    for name, (data, rows) in csv_files(person, period or Period()).items():
        path = tmp_path / name
        path.write_bytes(data)
        with path.open(encoding="utf-8", newline="") as fh:
            out[name] = list(csv.DictReader(fh))
        assert len(out[name]) == rows
    return out


def test_csv_has_the_blocks_and_each_retest_beside_the_start(first_block, tmp_path):
    person, plan, saved = first_block
    new = _progress(first_block)
    tables = _tables(person, tmp_path)
    plans = {r["id"]: r for r in tables["plans.csv"]}
    assert (plans[str(plan.id)]["block_number"], plans[str(plan.id)]["block_kind"]) == (
        "1",
        "first",
    )
    assert (plans[str(new.id)]["block_number"], plans[str(new.id)]["block_kind"]) == (
        "2",
        "progress",
    )
    rows = tables["block_reviews.csv"]
    assert [r["measure"] for r in rows] == [
        "nprs",
        "psfs",
        "thomas_left",
        "thomas_right",
        "hold_left",
        "hold_right",
    ]
    last = _last(plan)
    for r in rows:
        assert r["plan_id"] == str(plan.id) and r["block_number"] == "1"
        assert r["block_start"] == START.isoformat() and r["block_end"] == last.isoformat()
        assert r["review_date"] == saved.date.isoformat() and r["choice"] == "progress"
        assert r["next_plan_id"] == str(new.id)
        assert r["next_block_start"] == new.start_date.isoformat()
    by = {r["measure"]: r for r in rows}
    assert (by["nprs"]["before"], by["nprs"]["after"], by["nprs"]["verdict"]) == (
        "5",
        "2",
        "better",
    )
    assert float(by["psfs"]["before"]) == 3 and float(by["psfs"]["after"]) == 7
    assert (by["thomas_left"]["before"], by["thomas_left"]["after"]) == ("positive", "negative")
    assert by["thomas_right"]["verdict"] == "same"
    assert "2 points or more" in by["nprs"]["note"]
    # dated by the re-test's day: a range after it has the plans, not the review
    later = _tables(person, tmp_path, Period(saved.date + timedelta(days=1)))
    assert later["block_reviews.csv"] == [] and len(later["plans.csv"]) == 2


# --- FHIR ---------------------------------------------------------------------------------


def test_fhir_has_each_block_as_a_care_plan_the_later_replacing_the_earlier(first_block, tmp_path):
    person, plan, saved = first_block
    new = _progress(first_block)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle(person, Period()), indent=2), encoding="utf-8")
    data = json.loads(path.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    entries = [(e["fullUrl"], e["resource"]) for e in data["entry"]]
    plans = [(url, r) for url, r in entries if r["resourceType"] == "CarePlan"]
    for _url, r in plans:
        CarePlan.model_validate(r)
    assert len(plans) == 2
    (url1, one), (_url2, two) = plans
    ext = {e["url"]: e for e in two["extension"]}
    assert ext[BLOCK_NUMBER]["valueInteger"] == 2 and ext[BLOCK_KIND]["valueCode"] == "progress"
    assert {e["url"]: e for e in one["extension"]}[BLOCK_NUMBER]["valueInteger"] == 1
    assert (one["status"], two["status"]) == ("completed", "active")
    assert two["replaces"] == [{"reference": url1}] and "replaces" not in one
    last = _last(plan)
    assert one["period"] == {"start": START.isoformat(), "end": last.isoformat()}
    assert two["period"]["start"] == new.start_date.isoformat()
    [patient] = [url for url, r in entries if r["resourceType"] == "Patient"]
    assert one["subject"] == {"reference": patient} and one["intent"] == "plan"
    [note] = one["note"]
    assert note["time"] == saved.date.isoformat()
    assert "Pain (0 to 10, lower is better): 5 at the start, 2 at the end (better)" in note["text"]
    assert f"Chosen next: progress (step up), from {new.start_date}." in note["text"]
    # the re-test's pain score is an Observation like every check-in
    pain = [r for _u, r in entries if r["resourceType"] == "Observation"]
    assert (saved.date.isoformat(), 2) in [
        (o["effectiveDateTime"], o["valueQuantity"]["value"]) for o in pain
    ]
    urls = [e["fullUrl"] for e in bundle(person, Period())["entry"]]
    assert urls == [e["fullUrl"] for e in data["entry"]]  # the same ids when exported again


# --- the PDF report ------------------------------------------------------------------------


def _pdf_text(person, plan) -> tuple[str, int]:
    pdf = report_pdf(person, plan, START, TODAY, TODAY)
    return " ".join(pdf_text(pdf.data, layout=True).split()), pdf.pages


def test_report_shows_the_block_in_force_and_each_retest(first_block):
    person, plan, saved = first_block
    last = _last(plan)
    text, pages = _pdf_text(person, plan)
    head = text.split("About the person", 1)[0]
    assert f"Block 1 (first block), {START} to {last}, now in week 6 of 6" in head
    assert "Re-test due" in head
    assert "Not chosen yet" in text

    new = _progress(first_block)
    end2 = _last(new)
    text, pages = _pdf_text(person, new)
    assert pages == 3  # the blocks have a page of their own after the two
    head = text.split("About the person", 1)[0]
    kind = "progress: steps up from the block before"
    assert f"Block 2 ({kind}) starts on {new.start_date} and runs to {end2}" in head
    assert "Re-test due" not in head
    blocks = text.split("Blocks of six weeks", 1)[1]
    assert (
        f"1 first {START} {last} {saved.date} Progress (step up), from {new.start_date}" in blocks
    )
    assert f"2 (in force) progress {new.start_date} {end2} - -" in blocks
    assert f"Block 1: re-test on {saved.date} against the block's start ({START})" in blocks
    assert "Pain (0 to 10, lower is better) 5 2 Better 2 points, or 30 % better" in blocks
    assert "Activity score (0 to 10, higher is better) 3 7 Better 2 points" in blocks
    assert "Thomas test, left side positive negative Better a change of result" in blocks
    assert "Thomas test, right side positive positive No real change" in blocks
    assert "Knee-lift hold, left side (seconds) 12 22 Better 5 s (our own figure)" in blocks
    assert f"Chosen next: Progress (step up), from {new.start_date}." in blocks


def test_a_new_start_without_a_retest_adds_no_blocks_page():
    """Changed answers make a new first block; the plan left early is not a block that
    ended, so the report stays on its two pages."""
    person = local_person()
    for _ in range(2):
        version = save_profile(person, PROFILE)
        plan = save_plan(person, version, build_plan(parse_profile(PROFILE)), START)
    text, pages = _pdf_text(person, plan)
    assert pages == 2 and "Blocks of six weeks" not in text
    assert f"Block 1 (first block), {START} to {_last(plan)}" in text
