"""The settings page through Django's test client and the real URLconf, on a real
database: the profile summary, every download (a real PDF with the person's data, the CSV
zip with the documented files, FHIR that validates, iCalendar that parses), the calendar
subscription link and its revocation, backup and restore (a cut-off file is refused and the
data stays), and deleting everything only after confirmation."""

from __future__ import annotations

import html
import io
import json
import re
import sqlite3
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections
from django.test import Client

from psoas.web.account.models import CalendarFeed
from psoas.web.outcomes.models import PainCheckin
from psoas.web.programs.models import Person, Plan
from psoas.web.programs.services import local_person
from psoas.web.tracking.models import SessionLog
from tests.api_client import api
from tests.pdf_text import pdf_text

pytestmark = [pytest.mark.django_db(transaction=True)]

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 47,
    "sitting_hours_per_day": 8,
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 5},
}
TODAY = date.today()
START = TODAY - timedelta(days=6)
NOTE = "Hamstring felt tight after the bridge"
CSV_FILES = {
    "sessions.csv",
    "exercise_sets.csv",
    "checkins.csv",
    "questionnaires.csv",
    "questionnaire_answers.csv",
    "scheduled_sessions.csv",
    "plans.csv",
    "program_versions.csv",
    "block_reviews.csv",
    "profile_versions.csv",
    "breaks.csv",
    "break_days.csv",
}


@pytest.fixture
def seeded(client):
    api(client, "put", "/api/profile", PROFILE)
    api(client, "post", "/api/plan", {"start": START.isoformat()})
    day = (TODAY - timedelta(days=5)).isoformat()
    body = {"date": day, "pain_before": 5, "pain_after": 4, "notes": NOTE}
    api(client, "post", "/api/logs", body)
    api(client, "post", "/api/checkins", {"date": day, "nprs": 4, "red_flags": []})


def text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def feed_path(client) -> str:
    body = client.get("/settings/").content.decode()
    [url] = re.findall(r'id="feed_url" value="([^"]+)"', body)
    return url.removeprefix("http://testserver")


# --- the page ---------------------------------------------------------------------------


def test_settings_without_a_plan(client):
    r = client.get("/settings/")
    assert r.status_code == 200
    assert "You have not answered the safety questions yet." in text(r)
    assert 'href="/start/"' in r.content.decode()
    r = client.get("/settings/report.pdf")
    assert r.status_code == 409 and "Report: there is no plan yet" in text(r)
    assert client.get("/settings/export/ics").status_code == 409


def test_settings_shows_the_profile_and_a_way_to_change_it(client, seeded):
    r = client.get("/settings/")
    page = text(r)
    assert r.status_code == 200
    assert "Age 47" in page and "Pain at the start 5 out of 10" in page
    assert "Change my answers and re-plan" in page
    assert 'href="/start/"' in r.content.decode()
    for form in re.findall(r'<form method="post".*?</form>', r.content.decode(), flags=re.S):
        assert "csrfmiddlewaretoken" in form


def test_post_forms_need_the_csrf_token(seeded):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/settings/calendar-link").status_code == 403
    assert strict.post("/settings/delete", {"confirm": "delete"}).status_code == 403
    assert Person.objects.exists()


# --- downloads --------------------------------------------------------------------------


def test_pdf_report_is_a_real_pdf_with_the_persons_data(client, seeded):
    r = client.get("/settings/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]
    data = b"".join(r.streaming_content) if r.streaming else r.content
    assert data.startswith(b"%PDF")
    words = pdf_text(data, layout=True)
    assert "47" in words and "Hamstring felt tight" in words


def test_pdf_report_dates(client, seeded):
    day = (TODAY - timedelta(days=3)).isoformat()
    r = client.get("/settings/report.pdf", {"from": day, "to": TODAY.isoformat()})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert f"psoas-report-{day}-to-" in r["Content-Disposition"]
    r = client.get("/settings/report.pdf", {"from": "31/12/2025"})
    assert r.status_code == 400
    assert "From: '31/12/2025' is not a date" in text(r)
    assert 'value="31/12/2025"' in r.content.decode()  # what was typed stays
    r = client.get("/settings/report.pdf", {"from": TODAY.isoformat(), "to": day})
    assert r.status_code == 400 and "is after To" in text(r)
    future = (TODAY + timedelta(days=2)).isoformat()
    r = client.get("/settings/report.pdf", {"to": future})
    assert r.status_code == 400 and "To: " in text(r) and "in the future" in text(r)


def test_csv_zip_has_the_documented_files(client, seeded):
    r = client.get("/settings/export/csv")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = {Path(n).name for n in zf.namelist()}
        assert names == CSV_FILES
        sessions = zf.read("psoas-export/sessions.csv").decode()
    assert NOTE in sessions
    documented = set(re.findall(r"^### `(\w+\.csv)`", Path("docs/exports.md").read_text(), re.M))
    assert names == documented


def test_fhir_bundle_parses_and_validates(client, seeded):
    from fhir.resources.R4B.bundle import Bundle

    r = client.get("/settings/export/fhir")
    assert r.status_code == 200 and "fhir+json" in r["Content-Type"]
    data = json.loads(r.content)
    bundle = Bundle.model_validate(data)
    assert bundle.type and len(bundle.entry) >= 2


def test_ics_file_parses(client, seeded):
    from icalendar import Calendar

    r = client.get("/settings/export/ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    *sessions, retest = sorted(cal.walk("VEVENT"), key=lambda e: e.get("rrule") is None)
    assert sessions and all(e.get("rrule") for e in sessions)
    assert all(e.walk("VALARM") for e in sessions)
    assert "(block 1, week 1)" in str(sessions[0]["SUMMARY"])
    # the block's end: an all-day re-test linked to the block page on the app's own origin
    assert str(retest["SUMMARY"]) == "psoas: Re-test and choose your next block"
    assert str(retest["URL"]) == "http://testserver/block/" and not retest.get("rrule")


# --- the calendar subscription ----------------------------------------------------------


def test_calendar_link_serves_the_plan_and_a_new_link_revokes_the_old(client, seeded):
    from icalendar import Calendar

    assert 'id="feed_url"' not in client.get("/settings/").content.decode()
    r = client.post("/settings/calendar-link")
    assert r.status_code == 302 and r["Location"].startswith("/settings/?done=new-link")
    old = feed_path(client)
    assert re.fullmatch(r"/calendar/[\w-]{32}\.ics", old)
    feed = Client().get(old)  # a calendar app: no session, no cookies
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    export = Calendar.from_ical(client.get("/settings/export/ics").content).walk("VEVENT")
    assert events and [e["uid"] for e in events] == [e["uid"] for e in export]
    client.post("/settings/calendar-link")
    new = feed_path(client)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_unknown_calendar_token_is_a_404(client, seeded):
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


# --- backup, restore, delete ------------------------------------------------------------


@pytest.fixture
def file_store(tmp_path, django_db_blocker):
    """A SQLite file as the store, as `psoas serve` has: the test database is in memory,
    and backup and restore work on a file. The in-memory one is kept open meanwhile."""
    conn = connections["default"]
    if conn.vendor != "sqlite":
        pytest.skip("backup through the page is tested on SQLite here")
    memory = conn.settings_dict["NAME"]
    keeper = sqlite3.connect(memory, uri=True) if memory.startswith("file:") else None
    conn.settings_dict["NAME"] = str(tmp_path / "store.sqlite3")
    conn.close()
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0, interactive=False)
        yield tmp_path / "store.sqlite3"
        connections.close_all()
    conn.settings_dict["NAME"] = memory
    with django_db_blocker.unblock():
        conn.connect()  # the test database again, before the keeper lets it go
    if keeper is not None:
        keeper.close()


def test_backup_then_restore_gives_the_data_back(client, file_store, tmp_path):
    seed_store(client)
    r = client.get("/settings/backup")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    backup = r.content
    assert backup.startswith(b"SQLite format 3\x00")
    api(client, "post", "/api/checkins", {"nprs": 1, "red_flags": []})
    assert PainCheckin.objects.count() == 2
    upload = SimpleUploadedFile("psoas-backup.sqlite3", backup)
    r = client.post("/settings/restore", {"file": upload, "confirm_restore": "yes"})
    assert r.status_code == 302 and r["Location"] == "/settings/?done=restored"
    assert PainCheckin.objects.count() == 1
    assert SessionLog.objects.get().notes == NOTE
    assert "Your records were restored" in text(client.get(r["Location"]))


def test_restore_refuses_a_cut_off_file_and_keeps_the_data(client, file_store):
    seed_store(client)
    backup = client.get("/settings/backup").content
    before = (PainCheckin.objects.count(), SessionLog.objects.count(), Plan.objects.count())
    cut = SimpleUploadedFile("cut.sqlite3", backup[: len(backup) // 2])
    r = client.post("/settings/restore", {"file": cut, "confirm_restore": "yes"})
    assert r.status_code == 400
    page = text(r)
    assert "Backup file: The file is damaged" in page
    assert "Your records were not changed." in page
    assert "/tmp" not in page
    after = (PainCheckin.objects.count(), SessionLog.objects.count(), Plan.objects.count())
    assert after == before
    foreign = SimpleUploadedFile("notes.txt", b"hello, this is not a backup\n")
    r = client.post("/settings/restore", {"file": foreign, "confirm_restore": "yes"})
    assert r.status_code == 400 and "is not a backup of a psoas SQLite store" in text(r)


def test_restore_needs_a_file_and_the_tick(client, seeded):
    r = client.post("/settings/restore", {})
    assert r.status_code == 400
    page = text(r)
    assert "Backup file: choose a file" in page and "tick the box" in page
    assert Plan.objects.exists()


def seed_store(client) -> None:
    api(client, "put", "/api/profile", PROFILE)
    api(client, "post", "/api/plan", {"start": START.isoformat()})
    day = (TODAY - timedelta(days=5)).isoformat()
    api(client, "post", "/api/logs", {"date": day, "pain_before": 5, "notes": NOTE})


def test_delete_needs_the_word_then_erases_everything(client, seeded):
    client.post("/settings/calendar-link")
    r = client.post("/settings/delete", {"confirm": "yes please"})
    assert r.status_code == 400
    assert "Delete: type the word delete" in text(r)
    assert 'value="yes please"' in r.content.decode()
    assert Person.objects.exists() and SessionLog.objects.exists()
    r = client.post("/settings/delete", {"confirm": " Delete "})
    assert r.status_code == 302 and r["Location"] == "/"
    for model in (Person, Plan, SessionLog, PainCheckin, CalendarFeed):
        assert not model.objects.exists(), model
    welcome = client.get("/")
    assert welcome.status_code == 200  # the welcome page, not today's session
    assert local_person().plans.count() == 0
