"""The move-break pages through Django's test client and the real URLconf, on a real store:
the Settings section (on and off in one step, the zone from the browser, the settings form
with every wrong box named and what was typed kept), the breaks page and its one-tap
actions (a late snooze refused with a 409 that says why), the guided break (the player fed
the core's routine from the plan, or a walk when the program is stopped), and Progress."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from psoas.breaks_desktop.zone import system_zone
from psoas.core.breaks.routine import NO_PLAN, REFER, WALK_CUES
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.breaks import services
from psoas.web.breaks.models import BreakConfig, BreakLog
from psoas.web.programs.services import local_person, save_plan, save_profile
from tests.breaks_seed import due_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

DESK = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 9,
    "equipment": ["chair", "mat"],
    "assessment": {"thomas_test": {"left": "positive", "right": "positive"}},
}
GOOD_FORM = {
    "interval_min": "45",
    "break_min": "3",
    "hours_mon": "09:00-12:30, 13:30-17:30",
    "hours_tue": "09:00-17:00",
    "hours_wed": "09:00-17:00",
    "hours_thu": "09:00-17:00",
    "hours_fri": "09:00-15:00",
    "hours_sat": "",
    "hours_sun": "off",
    "fixed_times": "10:30, 15:00",
    "snooze_min": "10",
    "snoozes": "1",
    "natural_break_min": "",
    "zone": "America/New_York",
}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def kinds() -> list[str]:
    return list(BreakLog.objects.order_by("at", "id").values_list("kind", flat=True))


def plan_for(profile: dict, days_ago: int = 3):
    person = local_person()
    version = save_profile(person, profile)
    plan = build_plan(parse_profile(profile))
    return save_plan(person, version, plan, date.today() - timedelta(days=days_ago))


def test_settings_turn_breaks_on_in_one_step_with_the_browsers_zone(client):
    page = text(client.get("/settings/"))
    assert "Move breaks are off." in page and "Turn move breaks on" in page
    assert 'name="zone" value="" data-browser-zone' in page  # reminders.js fills it in
    r = client.post("/settings/breaks/switch", {"on": "1", "zone": "Asia/Tokyo"})
    assert r.status_code == 302 and r["Location"] == "/settings/?breaks=on#breaks"
    page = text(client.get(r["Location"]))
    assert "Move breaks are on." in page and "Turn move breaks off" in page
    assert "data-browser-zone" not in page  # saved once: the zone is the person's now
    settings = services.load_settings(local_person())
    assert settings.enabled and settings.zone == "Asia/Tokyo" and settings.interval_min == 30
    client.post("/settings/breaks/switch", {"on": "0", "zone": "Europe/Paris"})
    settings = services.load_settings(local_person())
    assert not settings.enabled and settings.zone == "Asia/Tokyo"  # the zone is kept
    assert kinds() == ["on", "off"]


def test_without_a_zone_from_the_browser_the_computers_is_used(client):
    client.post("/settings/breaks/switch", {"on": "1", "zone": "not a zone"})
    assert services.load_settings(local_person()).zone == (system_zone() or "UTC")


def test_settings_form_saves_every_box(client):
    client.post("/settings/breaks/switch", {"on": "1", "zone": "Asia/Tokyo"})
    r = client.post("/settings/breaks", GOOD_FORM)
    assert r.status_code == 302 and r["Location"] == "/settings/?breaks=saved#breaks"
    s = services.load_settings(local_person())
    assert s.enabled  # saving the times keeps breaks on
    assert (s.interval_min, s.break_min, s.snooze_min, s.snoozes) == (45, 3, 10, 1)
    assert s.zone == "America/New_York" and s.natural_break_min is None
    assert [str(t)[:5] for t in s.fixed_times] == ["10:30", "15:00"]
    assert len(s.working_hours["mon"]) == 2 and s.working_hours["sat"] == ()
    page = text(client.get(r["Location"]))
    assert "Your break settings are saved." in page
    assert 'value="09:00-12:30, 13:30-17:30"' in page and 'value="10:30, 15:00"' in page


def test_settings_form_names_every_wrong_box_and_keeps_what_was_typed(client):
    bad = {
        **GOOD_FORM,
        "interval_min": "15",
        "hours_tue": "17:00-09:00",
        "hours_wed": "nine to five",
        "fixed_times": "25:00",
        "zone": "Mars/Olympus",
    }
    r = client.post("/settings/breaks", bad)
    assert r.status_code == 400
    page = text(r)
    assert "<title>Please fix: Settings" in page
    for box, words in [
        ("interval_min", "Minutes between reminders: must be a whole number from 20 to 60"),
        ("hours_tue", "Tuesday: 17:00 to 09:00: the start must come first."),
        ("hours_wed", "Wednesday: 'nine to five' is not start-end"),
        ("fixed_times", "Also remind me at: '25:00' is not a time"),
        ("zone", "Time zone: 'Mars/Olympus' is not a time zone name"),
    ]:
        assert f'id="breaks_{box}_error">{words}' in page, box
        assert f'<a href="#breaks_{box}">{words}' in page, box  # in the summary at the top
        assert re.search(rf'id="breaks_{box}"[^>]*aria-invalid="true"', page), box
    assert 'value="nine to five"' in page and 'value="Mars/Olympus"' in page
    assert 'value="09:00-12:30, 13:30-17:30"' in page  # the good boxes too
    assert '<details class="break-settings" open>' in page
    assert BreakConfig.objects.count() == 0 and kinds() == []


def test_breaks_page_and_its_one_tap_actions(client):
    page = text(client.get("/breaks/"))
    assert "Move breaks are off." in page and 'href="/breaks/now/"' in page
    assert "Snooze 5 min" not in page and "Quiet for an hour" not in page
    person = local_person()
    now = timezone.now()
    due_at(person, now - timedelta(minutes=10))
    services.claim_prompt(person, now - timedelta(minutes=10), now - timedelta(minutes=5), "web")
    page = text(client.get("/breaks/"))  # shown five minutes ago: take it or skip it
    assert "A reminder is waiting for you." in page and "Skip this one" in page
    assert "Snooze 5 min" not in page and "Snooze is only offered in the first 60" in page
    late = client.post("/breaks/act", {"action": "snoozed"})
    assert late.status_code == 409
    assert "Snooze: Snooze is only offered in the first 60 seconds." in text(late)
    services.record(person, "prompted", timezone.now(), source="cli")  # shown again now
    assert "Snooze 5 min" in text(client.get("/breaks/"))
    r = client.post("/breaks/act", {"action": "snoozed"})
    assert r.status_code == 302 and r["Location"] == "/breaks/?done=snoozed"
    assert "Snoozed." in text(client.get(r["Location"]))
    r = client.post("/breaks/act", {"action": "moved", "next": "/plan/"})
    assert r["Location"] == "/plan/"
    r = client.post("/breaks/act", {"action": "quiet_1h", "next": "https://example.com/"})
    assert r["Location"] == "/breaks/?done=quiet"  # only a path of this site
    assert "Quiet until" in text(client.get("/breaks/"))
    bad = client.post("/breaks/act", {"action": "nap"})
    assert bad.status_code == 400 and "Action: 'nap' is not one" in text(bad)
    assert kinds() == ["on", "prompted", "prompted", "snoozed", "taken", "quiet"]
    assert services.status(person, timezone.now()).today.taken == 1


def test_the_guided_break_plays_exercises_from_the_plan(client):
    plan_for(DESK)
    r = client.get("/breaks/now/")
    assert r.status_code == 200
    page = r.content.decode()
    data = json.loads(
        re.search(r'id="player-data" type="application/json">(.*?)</script>', page).group(1)
    )
    assert data["kind"] == "break" and data["api"] == "/api/breaks/now"
    assert (
        data["session_id"]
        == f"break-{services.today(services.load_settings(local_person()), timezone.now())}-0"
    )
    ids = [e["id"] for e in data["exercises"]]
    assert ids and all(s["exercise_id"] in ids for s in data["steps"])
    assert 60 <= sum(s["seconds"] for s in data["steps"]) <= 120  # two minutes by default
    assert {s["side"] for s in data["steps"]} & {"left", "right"}  # sides, as in a session
    assert "<title>Move break · psoas</title>" in page and ">Move break</h1>" in page
    assert "End the break now" in page and "Picked from your own plan." in page
    assert "tracking/player.js" in page and "breaks/now.js" in page


def test_a_stopped_program_or_no_plan_gives_a_walk_that_says_why(client):
    walk = text(client.get("/breaks/now/"))
    assert "Move break: a short walk" in walk and NO_PLAN in walk and WALK_CUES[0] in walk
    assert 'data-seconds="120"' in walk and "player-data" not in walk
    plan_for({**DESK, "red_flags": ["saddle_numbness"]})
    walk = text(client.get("/breaks/now/"))
    assert REFER in walk and "player-data" not in walk


def test_progress_shows_the_week(client):
    page = text(client.get("/progress/"))
    assert "Move breaks" in page and "Turn them on in Settings" in page
    person = local_person()
    due_at(person, timezone.now() - timedelta(minutes=50))
    now = timezone.now()
    for minutes, kind in ((40, "prompted"), (39, "taken"), (10, "prompted"), (9, "skipped")):
        services.record(person, kind, now - timedelta(minutes=minutes), source="web")
    page = text(client.get("/progress/"))
    words = re.sub(r"<[^>]+>", "", page)
    assert "In the last 7 days you moved 1 time on a break, with 2 reminders." in words
    assert "2 reminders, 1 taken, 0 natural, 0 snoozed, 1 skipped." in words
    assert 'class="chart chart--days"' in page and "Breaks each day" in page
