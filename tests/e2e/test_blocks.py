"""The whole second block in a real browser on a phone (issue 16 item 1): a plan whose six
weeks have passed (made and logged with the CLI), Today pointing to the re-test, the
re-test (its errors first), start and now side by side, the choice of "Progress" from a
chosen day, then block 2 and its first session on Today, and block 2's session days in
the calendar subscription that Settings gives. Each screen passes axe and fits 375 px."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

from dateutil.rrule import rrulestr
from icalendar import Calendar

from tests.e2e.check import check_page, grade, main_text

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 2,
    "equipment": ["mat", "chair"],
    "pain": {"nprs": 5},
    "assessment": {
        "thomas_test": {"left": "positive", "right": "positive"},
        "hip_flexor_hold_s": {"left": 12, "right": 13},
    },
}
TODAY = date.today()
START = TODAY - timedelta(days=45)


def seed(server, tmp_path: Path) -> None:
    """Six weeks ago: the plan, an activity check, and a session logged each week."""
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PROFILE))
    r = server.cli("init", "--profile", str(profile), "--start", START.isoformat())
    assert r.returncode == 0, r.stderr
    psfs = ["--psfs", "walking=4", "--psfs", "sitting=3", "--psfs", "stairs=5"]
    day = START.isoformat()
    r = server.cli("checkin", "--pain", "5", "--no-red-flags", "--no-input", "--date", day, *psfs)
    assert r.returncode == 0, r.stderr
    for week in range(6):
        r = server.cli("log", "--date", (START + timedelta(weeks=week)).isoformat())
        assert r.returncode == 0, r.stderr
    status = json.loads(server.cli("today", "--json").stdout)["status"]
    assert status == "plan_finished"


def active_sessions(server) -> list[date]:
    """The session days of the plan in force, as the store holds them."""
    with sqlite3.connect(Path(server.env["PSOAS_DATA_DIR"]) / "psoas.sqlite3") as db:
        rows = db.execute(
            "SELECT s.date FROM programs_scheduledsession s "
            "JOIN programs_plan p ON p.id = s.plan_id WHERE p.active ORDER BY s.date"
        ).fetchall()
    return [date.fromisoformat(d) for (d,) in rows]


def feed_days(body: bytes) -> set[date]:
    """Every day the calendar has an event on, each recurring event expanded."""
    days = set()
    for ev in Calendar.from_ical(body).events:
        starts = [ev.start]
        if ev.get("RRULE"):
            starts = list(rrulestr(ev["RRULE"].to_ical().decode(), dtstart=ev.start))
        days |= {s.date() if isinstance(s, datetime) else s for s in starts}
    return days


def cells(table, label: str) -> list[str]:
    """Start, now and change of one measure (a row group headed by its name)."""
    group = table.locator("tbody").filter(has=table.page.get_by_role("rowheader", name=label))
    return [c.strip() for c in group.locator(".block-table__values td").all_inner_texts()]


def test_the_second_block_from_the_retest_to_the_calendar(server, phone, tmp_path):
    seed(server, tmp_path)

    # Today: the six weeks are done, and the way on is the re-test
    phone.goto(server.url + "today/")
    assert "Block 1: all 6 weeks done" in main_text(phone)
    assert phone.get_by_role("heading", name="Your six weeks are done").is_visible()
    check_page(phone, "blocks-today-done")
    phone.get_by_role("link", name="Do the re-test").click()
    phone.wait_for_url("**/block/")
    assert phone.title() == "Your re-test · psoas"
    for activity in ("walking", "sitting", "stairs"):  # the activities named before
        assert phone.locator("legend", has_text=activity).is_visible()
    check_page(phone, "blocks-retest")

    # sent with no pain score: named, and what was typed is kept
    phone.locator("input[name=thomas_left][value=negative]").check()
    phone.get_by_label("Hold test, left side, seconds").fill("22")
    phone.get_by_role("button", name="Save my re-test").click()
    assert phone.title().startswith("Please fix")
    summary = phone.locator("#error-summary")
    assert "Pain right now: pick a number from 0 to 10." in summary.inner_text()
    assert phone.locator("#id_hold_left").input_value() == "22"
    assert phone.locator("input[name=thomas_left][value=negative]").is_checked()
    check_page(phone, "blocks-retest-errors")

    # the re-test, done
    phone.locator("input[name=thomas_right][value=positive]").check()
    phone.get_by_label("Hold test, right side, seconds").fill("20")
    phone.locator("label[for=pain_2]").click()
    for n, score in ((1, "7"), (2, "6"), (3, "8")):
        phone.locator(f"#id_activity_{n}").select_option(score)
    phone.get_by_role("button", name="Save my re-test").click()
    phone.wait_for_url("**/block/")
    assert phone.title() == "Your next block · psoas"

    # start and now side by side, with the change that counts
    table = phone.get_by_role("table", name="Your scores at the start and now")
    assert table.is_visible()
    assert cells(table, "Pain (0 to 10, lower is better)") == ["5", "2", "Better"]
    assert cells(table, "Knee-lift hold, left side (seconds)") == ["12", "22", "Better"]
    assert "A change of 2 points or more" in table.inner_text()
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # the whole table on screen
    text = main_text(phone)
    assert "Well done: things got better over these six weeks." in text
    # the choice: nothing chosen, the suggestion said in words
    radios = phone.locator("input[name=choice]")
    assert radios.count() == 3
    assert not any(radios.nth(i).is_checked() for i in range(3))
    progress = phone.locator("label.choice", has_text="Progress")
    assert progress.get_by_text("We suggest this").is_visible()
    assert grade(text) <= 8
    check_page(phone, "blocks-review")

    # Progress, from today (typed into the date box)
    phone.locator("label.choice", has_text="Progress").click()
    phone.locator("#id_start").fill(TODAY.isoformat())
    phone.get_by_role("button", name="Save my choice").click()
    phone.wait_for_url("**/today/")
    assert "Block 2, week 1 of 6" in main_text(phone)
    assert phone.get_by_role("heading", name="Today's session").is_visible()
    assert phone.get_by_text("Start today's session").is_visible()
    assert "Your six weeks are done" not in main_text(phone)
    check_page(phone, "blocks-today-block-2")

    # the plan says which block is in force, and keeps block 1 in its history
    phone.goto(server.url + "plan/")
    assert phone.locator(".block-name").inner_text().startswith("Block 2")
    assert "You chose: Progress" in phone.locator("section", has_text="Your blocks").inner_text()
    check_page(phone, "blocks-plan")
    phone.goto(server.url + "progress/")
    blocks = phone.locator("section", has_text="Your blocks")
    name = "Block 1: your scores at its start and its end"
    assert blocks.get_by_role("table", name=name).is_visible()
    check_page(phone, "blocks-progress")

    # the calendar subscription rolls on to block 2
    phone.goto(server.url + "settings/")
    phone.get_by_role("button", name="Make my calendar link").click()
    phone.wait_for_selector("#calendar_done")
    feed = phone.request.get(phone.locator("#feed_url").input_value())
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    block_2 = active_sessions(server)
    assert block_2[0] == TODAY and len(block_2) >= 12
    assert set(block_2) <= feed_days(feed.body())


def test_see_a_clinician_first_then_choose_later(server, phone, tmp_path):
    """Nothing got better: "See a clinician" is suggested; choosing it says to take the
    report along, keeps the choice open, and Today says the next block is waiting."""
    seed(server, tmp_path)
    phone.goto(server.url + "block/")
    phone.locator("label[for=pain_6]").click()  # pain up from 5, activities the same
    for n, score in ((1, "4"), (2, "3"), (3, "5")):
        phone.locator(f"#id_activity_{n}").select_option(score)
    phone.get_by_role("button", name="Save my re-test").click()
    phone.wait_for_url("**/block/")
    clinician = phone.locator("label.choice", has_text="See a clinician")
    assert clinician.get_by_text("We suggest this").is_visible()
    clinician.click()
    phone.get_by_role("button", name="Save my choice").click()
    phone.wait_for_url("**/block/#clinician")
    card = phone.locator("#clinician")
    assert card.get_by_role("heading", name="You chose to see a clinician first").is_visible()
    report = card.get_by_role("link", name="Download my report (PDF)")
    pdf = phone.request.get(server.url + report.get_attribute("href").lstrip("/"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    radios = phone.locator("input[name=choice]")
    assert radios.count() == 3 and not any(radios.nth(i).is_checked() for i in range(3))
    check_page(phone, "blocks-see-clinician")
    phone.goto(server.url + "today/")
    assert phone.get_by_role("heading", name="Your next block is waiting").is_visible()
    phone.get_by_role("link", name="Choose my next block").click()
    phone.wait_for_url("**/block/")
    phone.locator("label.choice", has_text="Maintain").click()
    phone.get_by_role("button", name="Save my choice").click()
    phone.wait_for_url("**/today/")
    assert "Block 2, week 1 of 6" in main_text(phone)
