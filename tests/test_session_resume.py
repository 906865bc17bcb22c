"""A session left in progress (the player killed, the tab closed, the phone lost) is never
orphaned: starting the same day's session again, from the API, the today page or the CLI,
carries on with the same log; one left on an earlier day is closed as "interrupted" with
its saved sets kept. One rule in psoas.web.tracking.day.begin_session for every shell."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from psoas.web.programs.services import active_plan, local_person
from psoas.web.tracking.models import SessionLog, SetLog
from psoas.web.tracking.services import record_sets, start_session
from tests.test_api import PROFILE, START, TODAY, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


@pytest.fixture
def planned(client):
    assert send(client, "put", "/api/profile", PROFILE).status_code == 200
    assert send(client, "post", "/api/plan", {"start": START.isoformat()}).status_code == 200


def start(client, day: date = TODAY) -> dict:
    body = {"date": day.isoformat(), "pain_before": 3, "none_of_these": True}
    r = send(client, "post", "/api/sessions", body)
    assert r.status_code == 200 and r.json()["status"] == "started", r.content
    return r.json()


def save_first_exercise(client, started: dict) -> str:
    ex = started["session"]["exercises"][0]
    body = {"exercise_id": ex["id"], "sets": [{"side": "both", "set_number": 1, "status": "done"}]}
    r = send(client, "post", f"/api/sessions/{started['session_id']}/exercises", body)
    assert r.status_code == 200
    return ex["id"]


def test_starting_again_the_same_day_carries_on_with_the_same_session(client, planned):
    first = start(client)
    ex_id = save_first_exercise(client, first)
    again = start(client)
    assert again["session_id"] == first["session_id"]
    assert again["session"] == first["session"]  # as it was started, not worked out anew
    assert SessionLog.objects.count() == 1
    assert list(SetLog.objects.values_list("exercise_id", flat=True)) == [ex_id]
    page = client.get(f"/session/{first['session_id']}/")
    assert page.status_code == 200 and ex_id in page.content.decode()


def test_a_session_left_open_on_an_earlier_day_is_closed_as_interrupted(client, planned):
    person = local_person()
    plan = active_plan(person)
    old = start_session(person, plan, START, 1, 0)
    record_sets(old, [{"exercise_id": "clamshell", "set_number": 1, "side": "left",
                       "status": "done"}])  # fmt: skip
    today = start(client)
    assert today["session_id"] != old.id
    old.refresh_from_db()
    assert old.status == SessionLog.Status.INTERRUPTED
    assert old.finished_at == old.sets.get().created_at  # ended when its last set was saved
    assert old.sets.count() == 1
    closed = client.get("/api/history").json()
    assert {h["id"]: h["status"] for h in closed}[old.id] == "interrupted"


def test_two_open_sessions_of_one_day_leave_one(client, planned):
    """Stores from before this rule may hold several open sessions of a day."""
    person = local_person()
    plan = active_plan(person)
    older, newer = (start_session(person, plan, TODAY, 1, 0) for _ in range(2))
    assert start(client)["session_id"] == newer.id
    statuses = dict(SessionLog.objects.values_list("id", "status"))
    assert statuses == {older.id: "interrupted", newer.id: "in_progress"}


def test_a_manual_log_closes_yesterdays_open_session_too(client, planned):
    person = local_person()
    old = start_session(person, active_plan(person), TODAY - timedelta(days=1), 1, 0)
    assert send(client, "post", "/api/logs", {}).status_code == 200
    old.refresh_from_db()
    assert old.status == SessionLog.Status.INTERRUPTED
