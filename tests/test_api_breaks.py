"""Move breaks through the JSON API (Django's test client, the real URLconf, a real store):
the status, claiming a reminder once, snooze limits as 409s, I moved, quiet times, the
guided break's end, the settings (422 naming the field, nothing saved), each answer's status
documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from psoas.web.breaks import services
from psoas.web.breaks.models import BreakConfig, BreakLog
from psoas.web.programs.services import local_person
from tests.breaks_seed import due_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def send(client: Client, method: str, url: str, body):
    return getattr(client, method)(url, body, content_type="application/json")


def documented(client: Client, method: str, path: str, response) -> None:
    schema = client.get("/api/openapi.json").json()
    assert str(response.status_code) in schema["paths"][path][method]["responses"]


def kinds() -> list[str]:
    return list(BreakLog.objects.order_by("at", "id").values_list("kind", flat=True))


def test_off_until_switched_on(client):
    r = client.get("/api/breaks")
    documented(client, "get", "/api/breaks", r)
    body = r.json()
    assert body["enabled"] is False and body["next_at"] is None
    assert body["today"]["prompted"] == 0 and body["break_url"] == "/breaks/now/"
    r = send(client, "put", "/api/breaks/settings", {"enabled": True, "zone": "Europe/Berlin"})
    documented(client, "put", "/api/breaks/settings", r)
    assert r.json()["enabled"] is True and r.json()["interval_min"] == 30
    assert kinds() == ["on"]
    assert client.get("/api/breaks").json()["enabled"] is True


def test_a_due_reminder_is_claimed_once_then_answered(client):
    person = local_person()
    due_at(person, timezone.now() - timedelta(minutes=1))
    status = client.get("/api/breaks").json()
    assert datetime.fromisoformat(status["next_at"]) <= datetime.fromisoformat(status["now"])
    assert status["shown_at"] is None and status["can_snooze"] is False
    shown = send(client, "post", "/api/breaks/events", {"kind": "prompted"})
    assert shown.status_code == 200, shown.content
    assert shown.json()["shown_at"] is not None and shown.json()["can_snooze"] is True
    again = send(client, "post", "/api/breaks/events", {"kind": "prompted"})  # a second tab
    documented(client, "post", "/api/breaks/events", again)
    assert again.status_code == 409 and again.json()["detail"].startswith("kind: no reminder")
    moved = send(client, "post", "/api/breaks/events", {"kind": "moved"}).json()
    assert moved["shown_at"] is None and moved["today"]["taken"] == 1
    assert kinds() == ["on", "prompted", "taken"]


def test_snooze_limits_are_409s_that_say_why(client):
    person = local_person()
    due_at(person, timezone.now() - timedelta(minutes=10), snoozes=1)
    nothing = send(client, "post", "/api/breaks/events", {"kind": "snoozed"})
    assert nothing.status_code == 409
    assert nothing.json()["detail"] == "kind: There is no reminder to snooze right now."
    # a reminder shown two minutes ago: too late to snooze, take it or skip it
    services.record(person, "prompted", timezone.now() - timedelta(minutes=2), source="cli")
    late = send(client, "post", "/api/breaks/events", {"kind": "snoozed"})
    documented(client, "post", "/api/breaks/events", late)
    assert (
        late.status_code == 409 and "only offered in the first 60 seconds" in late.json()["detail"]
    )
    # shown again just now: one snooze is allowed, then no more for this reminder
    services.record(person, "prompted", timezone.now() - timedelta(seconds=5), source="cli")
    ok = send(client, "post", "/api/breaks/events", {"kind": "snoozed"})
    assert ok.status_code == 200 and ok.json()["snoozes_left"] == 0
    assert ok.json()["reason"] == "5 minutes after your snooze"
    services.record(person, "prompted", timezone.now(), source="cli")  # it comes back
    extra = send(client, "post", "/api/breaks/events", {"kind": "snoozed"})
    assert extra.status_code == 409 and "snoozed this reminder once" in extra.json()["detail"]
    assert kinds().count("snoozed") == 1
    skipped = send(client, "post", "/api/breaks/events", {"kind": "skipped"}).json()
    assert skipped["shown_at"] is None and skipped["today"]["skipped"] == 1


def test_quiet_for_an_hour_or_until_tomorrow(client):
    person = local_person()
    due_at(person, timezone.now() - timedelta(minutes=1))
    r = send(client, "post", "/api/breaks/events", {"kind": "quiet", "quiet": "1h"}).json()
    quiet = datetime.fromisoformat(r["quiet_until"])
    assert timedelta(minutes=59) < quiet - datetime.fromisoformat(r["now"]) <= timedelta(hours=1)
    assert datetime.fromisoformat(r["next_at"]) == quiet
    r = send(client, "post", "/api/breaks/events", {"kind": "quiet", "quiet": "until-tomorrow"})
    tomorrow = datetime.fromisoformat(r.json()["quiet_until"])
    assert (
        timedelta(hours=11)
        < tomorrow - datetime.fromisoformat(r.json()["now"])
        < timedelta(hours=13)
    )  # work starts at midnight, where it is about noon now


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"kind": "quiet"}, ["body", "payload", "quiet"]),
        ({"kind": "taken", "quiet": "1h"}, ["body", "payload", "quiet"]),
        ({"kind": "napped"}, ["body", "payload", "kind"]),
        ({"kind": "quiet", "quiet": "2h"}, ["body", "payload", "quiet"]),
        ({"kind": "taken", "at": "2026-01-01T10:00:00Z"}, ["body", "payload", "at"]),
    ],
)
def test_bad_events_name_the_field_and_save_nothing(client, body, loc):
    r = send(client, "post", "/api/breaks/events", body)
    documented(client, "post", "/api/breaks/events", r)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == loc
    assert kinds() == []


@pytest.mark.parametrize(
    ("status", "counted"), [("completed", True), ("quit", False), ("stopped_for_pain", False)]
)
def test_a_guided_break_counts_when_played_to_its_end(client, status, counted):
    r = send(client, "post", "/api/breaks/now/finish", {"status": status, "pain_after": None})
    documented(client, "post", "/api/breaks/now/finish", r)
    assert r.json() == {"counted": counted}
    assert kinds() == (["taken"] if counted else [])


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"interval_min": 15}, ["body", "payload", "interval_min"]),
        ({"interval_min": "30"}, ["body", "payload", "interval_min"]),
        ({"break_min": 6}, ["body", "payload", "break_min"]),
        ({"zone": "Mars/Olympus_Mons"}, ["body", "payload", "zone"]),
        ({"zone": "Europe/" + "x" * 300}, ["body", "payload", "zone"]),
        (
            {"working_hours": {"mon": [["17:00", "09:00"]]}},
            ["body", "payload", "working_hours", "mon"],
        ),
        (
            {"working_hours": {"tue": [["09:00", "12:00"], ["11:00", "13:00"]]}},
            ["body", "payload", "working_hours", "tue"],
        ),
        ({"working_hours": {"monday": []}}, ["body", "payload", "working_hours", "monday"]),
        ({"fixed_times": ["9:30"]}, ["body", "payload", "fixed_times", 0]),
        ({"snoozes": 9}, ["body", "payload", "snoozes"]),
        ({"enabled": "yes"}, ["body", "payload", "enabled"]),
        ({"colour": "red"}, ["body", "payload", "colour"]),
    ],
)
def test_bad_settings_are_422s_naming_the_field(client, body, loc):
    r = send(client, "put", "/api/breaks/settings", body)
    documented(client, "put", "/api/breaks/settings", r)
    assert r.status_code == 422, r.content
    assert r.json()["detail"][0]["loc"][: len(loc)] == loc
    assert BreakConfig.objects.count() == 0 and kinds() == []


def test_settings_left_out_keep_their_value(client):
    send(client, "put", "/api/breaks/settings", {"interval_min": 45, "fixed_times": ["15:00"]})
    r = send(
        client, "put", "/api/breaks/settings", {"working_hours": {"sat": [["10:00", "12:00"]]}}
    )
    saved = r.json()
    assert saved["interval_min"] == 45 and saved["fixed_times"] == ["15:00"]
    assert saved["working_hours"]["sat"] == [["10:00", "12:00"]]
    assert saved["working_hours"]["mon"] == [["09:00", "17:00"]]  # the default, kept
    assert client.get("/api/breaks/settings").json() == saved


def test_stats_are_the_last_seven_days(client):
    person = local_person()
    due_at(person, timezone.now() - timedelta(minutes=1))
    services.record(person, "taken", timezone.now() - timedelta(days=2), source="cli")
    services.record(person, "natural", timezone.now(), source="idle")
    r = client.get("/api/breaks/stats")
    documented(client, "get", "/api/breaks/stats", r)
    days = r.json()
    assert len(days) == 7 and days[-1]["natural"] == 1
    assert sum(d["taken"] for d in days) == 1
