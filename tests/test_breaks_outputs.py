"""Move breaks in the CSV export and the PDF report, on a real store: every event in
breaks.csv on the person's own date (their zone, not UTC), a day's numbers in
break_days.csv as Progress counts them, --from/--to by that date; the report's page of
breaks (pdftotext) with the range's totals and a row per week."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.breaks import services
from psoas.web.breaks.codec import settings_from_json
from psoas.web.exports.reading import Period
from psoas.web.exports.tables import csv_files
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.reports.pdf import report_pdf
from tests.pdf_text import pdf_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = timezone.now().astimezone(TOKYO).date()
START = TODAY - timedelta(days=20)
PROFILE = {"schema": "psoas.profile/1", "age": 40, "sitting_hours_per_day": 8}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TOKYO)


def working_days() -> list[date]:
    days = (START + timedelta(days=i) for i in range(1, 15))
    return [d for d in days if d.weekday() < 5]


@pytest.fixture
def seeded():
    """Breaks on in Tokyo (office hours) from START; on each working day a reminder taken
    at 10:00 and one skipped at 15:00; an early break at 08:30 Tokyo time, which is the day
    before in UTC."""
    person = local_person()
    version = save_profile(person, PROFILE)
    plan = save_plan(person, version, build_plan(parse_profile(PROFILE)), START)
    on = settings_from_json({"enabled": True, "zone": "Asia/Tokyo"})
    services.save_settings(person, on, at(START, 8), "web")
    for d in working_days():
        services.record(person, "prompted", at(d, 10), source="desktop")
        services.record(person, "taken", at(d, 10, 2), source="desktop")
        services.record(person, "prompted", at(d, 15), source="web")
        services.record(person, "skipped", at(d, 15, 1), source="web")
    early = working_days()[-1]
    services.record(person, "natural", at(early, 8, 30), source="idle")
    return person, plan, early


def rows(files, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name][0].decode())))


def test_csv_has_every_break_event_on_the_persons_own_date(seeded):
    person, _plan, early = seeded
    files = csv_files(person, Period())
    events = rows(files, "breaks.csv")
    assert len(events) == 1 + 4 * len(working_days()) + 1
    assert (events[0]["kind"], events[0]["source"], events[0]["date"]) == (
        "on",
        "web",
        START.isoformat(),
    )
    natural = next(e for e in events if e["kind"] == "natural")
    assert natural["date"] == early.isoformat()  # Tokyo's day
    assert datetime.fromisoformat(natural["at"]).astimezone(ZoneInfo("UTC")).date() < early
    days = {r["date"]: r for r in rows(files, "break_days.csv")}
    first = days[working_days()[0].isoformat()]
    assert (first["prompted"], first["taken"], first["skipped"], first["natural"]) == (
        "2",
        "1",
        "1",
        "0",
    )
    # 10:02 to 17:00 with a skip in between: the skip does not end the sitting
    assert first["longest_sitting_min"] == str(7 * 60 - 2)
    assert days[early.isoformat()]["natural"] == "1"
    assert days[early.isoformat()]["longest_sitting_min"] == str(7 * 60 - 2)
    assert set(days) == {START.isoformat(), *(d.isoformat() for d in working_days())}
    assert files["breaks.csv"][1] == len(events) and files["break_days.csv"][1] == len(days)


def test_csv_from_and_to_pick_by_the_persons_own_date(seeded):
    person, _plan, early = seeded
    files = csv_files(person, Period(early, early))
    assert {e["date"] for e in rows(files, "breaks.csv")} == {early.isoformat()}
    kinds = [e["kind"] for e in rows(files, "breaks.csv")]
    assert kinds == ["natural", "prompted", "taken", "prompted", "skipped"]  # 08:30 Tokyo first
    assert [d["date"] for d in rows(files, "break_days.csv")] == [early.isoformat()]


def test_report_has_a_page_of_breaks(seeded):
    person, plan, _early = seeded
    pdf = report_pdf(person, plan, START, TODAY, TODAY)
    text = " ".join(pdf_text(pdf.data, layout=True).split())
    assert pdf.pages == 3  # the two pages, then the breaks
    n = len(working_days())
    # the day breaks went on, a working day, had no break: 9 to 5 sitting
    longest = 8 * 60 if START.weekday() < 5 else 7 * 60 - 2
    breaks = text.split("Move breaks", 1)[1]
    assert (
        f"From {START} to {TODAY}: {n} breaks taken and 1 natural, from {2 * n} reminders "
        f"(0 snoozed, {n} skipped). Longest sitting: {longest} min" in breaks
    )
    monday = START - timedelta(days=START.weekday())
    assert f"{monday.isoformat()} " in breaks  # a row per week, from the first
    earlier = report_pdf(person, plan, START, START + timedelta(days=0), TODAY)
    assert earlier.pages == 3  # the day breaks were switched on counts
    before = report_pdf(person, plan, START - timedelta(days=5), START - timedelta(days=1), TODAY)
    assert before.pages == 2  # no break in the range: no page for them
