"""The today page and the browser player's page, through Django's test client: every
state of the day, the start form (its errors name the question, a yes refers and stops the
program), the player's timeline (the core's own), and a session logged by hand."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.test import Client

from psoas.core.planning.planner import build_plan
from psoas.core.player.machine import doses_from_plan_session
from psoas.core.player.timeline import session_steps
from psoas.core.profile import parse_profile
from psoas.web.outcomes.models import PainCheckin
from psoas.web.programs.models import Person
from psoas.web.programs.services import active_plan, local_person, save_plan, save_profile
from psoas.web.tracking.models import SessionLog, SetLog
from psoas.web.tracking.services import finish_session, start_session
from psoas.web.tracking.warning_signs import every_session_questions as safety_questions

pytestmark = [pytest.mark.django_db(transaction=True)]

DAILY = {  # a session every day, so today has one
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 8,
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 5},
}
PREGNANT = {**DAILY, "age": 32, "pregnancy_weeks": 24}
TODAY = date.today()


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def make_plan(profile=DAILY, start=TODAY - timedelta(days=3)):
    person = local_person()
    version = save_profile(person, profile)
    return save_plan(person, version, build_plan(parse_profile(profile)), start)


def rest_plan():
    """A plan with rest days: find a start that makes today one."""
    profile = {**DAILY, "sitting_hours_per_day": 2}
    person = local_person()
    version = save_profile(person, profile)
    built = build_plan(parse_profile(profile))
    for back in range(7):
        plan = save_plan(person, version, built, TODAY - timedelta(days=back))
        if not plan.scheduled.filter(date=TODAY).exists():
            return plan
    raise AssertionError("no start gives a rest day today")


def answers(plan, pain="3", **over) -> dict:
    data = {f"flag_{q.id}": "no" for q in safety_questions(plan)}
    data["pain"] = pain
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the today page in every state ----------------------------------------------------


def test_no_plan_links_to_start(client):
    r = client.get("/today/")
    assert r.status_code == 200
    assert 'href="/start/"' in text(r) and "no plan yet" in text(r)


def test_session_today_lists_exercises_dose_minutes_and_questions(client):
    plan = make_plan()
    r = client.get("/today/")
    body = text(r)
    assert r.status_code == 200
    info = r.context["info"]
    assert info["status"] == "session"
    for ex in info["session"]["exercises"]:
        assert ex["name"] in body
    assert "about " in body and "minute" in body and "of your plan" in body
    assert re.search(r"\d+ sets? of \d+ (reps|seconds)", body)
    questions = safety_questions(plan)
    assert len(questions) >= 5
    for q in questions:
        assert f'name="flag_{q.id}" value="yes"' in body
        assert f'name="flag_{q.id}" value="no"' in body
    assert body.count('name="pain"') == 11
    assert "I did it without the app" in body
    assert "pregnant" not in body


def test_pregnant_person_gets_pregnancy_warning_signs(client):
    make_plan(PREGNANT)
    body = text(client.get("/today/"))
    assert 'name="flag_pregnancy_bleeding"' in body
    assert 'name="flag_pregnancy_reduced_movement"' in body


def test_rest_day_shows_next_date(client):
    plan = rest_plan()
    r = client.get("/today/")
    assert r.context["state"] == "rest_day"
    nxt = plan.scheduled.filter(date__gt=TODAY).order_by("date").first().date
    assert "Rest day" in text(r) and nxt.strftime("%B") in text(r)
    assert 'name="flag_' not in text(r)


def test_not_started_yet(client):
    make_plan(start=TODAY + timedelta(days=5))
    r = client.get("/today/")
    assert r.context["state"] == "not_started" and "has not started" in text(r)


def test_plan_finished(client):
    make_plan(start=TODAY - timedelta(days=60))
    r = client.get("/today/")
    assert r.context["state"] == "plan_finished" and 'href="/start/"' in text(r)


def test_in_progress_offers_continue_and_finished_says_done(client):
    plan = make_plan()
    log = start_session(plan.person, plan, TODAY, 1, 0)
    r = client.get("/today/")
    assert r.context["state"] == "in_progress"
    assert f'href="/session/{log.id}/"' in text(r) and "Continue" in text(r)
    # a second start goes to the session already running instead of making another
    r = client.post("/today/", answers(plan))
    assert r.status_code == 302 and r["Location"] == f"/session/{log.id}/"
    assert SessionLog.objects.count() == 1
    finish_session(log, "completed", 2)
    r = client.get("/today/")
    assert r.context["state"] == "finished"
    assert "Done for today" in text(r) and "Pain after: 2" in text(r)


def test_referral_plan_shows_referral(client):
    make_plan({**DAILY, "red_flags": ["saddle_numbness"]})
    r = client.get("/today/")
    assert r.context["state"] == "refer"
    assert 'class="referral alert' in text(r) and 'name="flag_' not in text(r)


# --- the start form ---------------------------------------------------------------------


def test_missing_answer_is_named_and_nothing_starts(client):
    plan = make_plan()
    q = safety_questions(plan)[2]
    r = client.post("/today/", answers(plan, **{f"flag_{q.id}": None}))
    assert r.status_code == 400
    body = text(r)
    assert "Question 3" in body and f'href="#flag_{q.id}-yes"' in body
    assert f'id="flag_{q.id}-error"' in body
    assert f'aria-describedby="flag_{q.id}-error"' in body
    assert "checked" in body  # the other answers are kept
    assert not SessionLog.objects.exists() and not PainCheckin.objects.exists()


@pytest.mark.parametrize("pain", ["11", "-1", "lots", ""])
def test_bad_pain_is_an_error(client, pain):
    plan = make_plan()
    r = client.post("/today/", answers(plan, pain=pain))
    assert r.status_code == 400
    assert 'id="pain-error"' in text(r) and "Pain right now" in text(r)
    assert not SessionLog.objects.exists()


def test_a_yes_refers_and_stops_the_program(client):
    plan = make_plan()
    r = client.post("/today/", answers(plan, flag_trouble_peeing="yes", pain=None))
    assert r.status_code == 200
    assert 'class="referral alert' in text(r)
    assert not SessionLog.objects.exists()
    now = active_plan(plan.person)
    assert now.id != plan.id and now.data["status"] == "refer"
    assert "trouble_peeing" in now.profile.data["red_flags"]
    assert client.get("/today/").context["state"] == "refer"


def test_valid_answers_start_a_session(client):
    plan = make_plan()
    r = client.post("/today/", answers(plan, pain="4"))
    log = SessionLog.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/session/{log.id}/"
    assert log.status == "in_progress" and log.pain_before == 4 and log.source == "player"
    assert PainCheckin.objects.get().nprs == 4


def test_start_on_a_rest_day_is_refused(client):
    plan = rest_plan()
    r = client.post("/today/", answers(plan))
    assert r.status_code == 409 and not SessionLog.objects.exists()


# --- the player page --------------------------------------------------------------------


def player_data(response) -> dict:
    m = re.search(
        r'<script id="player-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(m.group(1))


def test_player_embeds_the_core_timeline(client):
    plan = make_plan()
    started = client.post("/today/", answers(plan))
    r = client.get(started["Location"])
    assert r.status_code == 200
    data = player_data(r)
    session = client.get("/api/today").json()["session"]
    steps = [
        {
            "kind": s.kind,
            "seconds": s.seconds,
            "exercise_id": s.exercise_id,
            "set_number": s.set_number,
            "side": s.side,
            "reps": s.reps,
            "rep_seconds": s.rep_seconds,
        }
        for s in session_steps(doses_from_plan_session(session))
    ]
    assert data["steps"] == steps
    assert [e["id"] for e in data["exercises"]] == [e["id"] for e in session["exercises"]]
    first = data["exercises"][0]
    assert first["svg"].startswith("<svg") and first["cues"] and first["breathing"]
    assert data["saved"] == [] and data["api"] == f"/api/sessions/{data['session_id']}"
    assert 'aria-live="polite"' in text(r) and "It hurts: stop" in text(r)


def test_player_lists_exercises_already_saved(client):
    plan = make_plan()
    log = start_session(plan.person, plan, TODAY, 1, 0)
    ex = plan.data["weeks"][0]["sessions"][0]["exercises"][0]["id"]
    SetLog.objects.create(
        person=plan.person,
        session=log,
        exercise_id=ex,
        week=1,
        set_number=1,
        side="both",
        status="done",
    )
    data = player_data(client.get(f"/session/{log.id}/"))
    assert data["saved"] == [ex] and data["steps"]  # no copy kept: the day's session


def test_unknown_or_someone_elses_session_is_404(client):
    make_plan()
    other = Person.objects.create(name="someone else")
    version = save_profile(other, DAILY)
    theirs = save_plan(other, version, build_plan(parse_profile(DAILY)), TODAY)
    log = start_session(other, theirs, TODAY, 1, 0)
    assert client.get(f"/session/{log.id}/").status_code == 404
    assert client.get("/session/999999/").status_code == 404
    assert client.get("/session/abc/").status_code == 404


def test_finished_session_page_says_it_is_over(client):
    plan = make_plan()
    log = start_session(plan.person, plan, TODAY, 1, 0)
    finish_session(log, "completed", 1)
    r = client.get(f"/session/{log.id}/")
    assert r.status_code == 409
    assert "This session is over" in text(r) and 'href="/progress/"' in text(r)
    assert client.post(f"/session/{log.id}/").status_code == 405


# --- done without the app ---------------------------------------------------------------


def test_manual_log_saves_the_whole_session(client):
    make_plan()
    r = client.post("/today/log/", {"effort": "about_right", "pain_after": "2"})
    assert r.status_code == 302 and r["Location"] == "/today/?logged=1"
    log = SessionLog.objects.get()
    assert log.source == "manual" and log.status == "completed" and log.pain_after == 2
    session = client.get("/api/today").json()["session"]
    assert {s.exercise_id for s in log.sets.all()} == {e["id"] for e in session["exercises"]}
    assert set(log.sets.values_list("effort", flat=True)) == {"about_right"}
    page = client.get("/today/?logged=1")
    assert page.context["state"] == "finished" and "Saved." in text(page)


@pytest.mark.parametrize(
    ("form", "field"), [({"pain_after": "12"}, "pain_after"), ({"effort": "meh"}, "effort")]
)
def test_manual_log_bad_input(client, form, field):
    make_plan()
    r = client.post("/today/log/", form)
    assert r.status_code == 400 and f'id="{field}-error"' in text(r)
    assert not SessionLog.objects.exists()


def test_manual_log_without_a_plan_is_refused(client):
    r = client.post("/today/log/", {})
    assert r.status_code == 409 and not SessionLog.objects.exists()
