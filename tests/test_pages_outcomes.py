"""The progress page and the check-in through Django's test client and the real URLconf,
on a real database: empty states, charts drawn from seeded sessions and check-ins (the
baseline and minimal-important-change marks, a calendar cell per planned day), the
check-in's bad input (named, nothing saved), the weekly activity check, and a warning
sign that stops the program."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.programs.models import ScheduledSession
from psoas.web.programs.services import active_plan, local_person
from tests.api_client import api

pytestmark = [pytest.mark.django_db(transaction=True)]

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 8,  # a session every day
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 5},
}
TODAY = date.today()
START = TODAY - timedelta(days=9)


@pytest.fixture
def planned(client):
    api(client, "put", "/api/profile", PROFILE)
    return api(client, "post", "/api/plan", {"start": START.isoformat()})


@pytest.fixture
def seeded(client, planned):
    """Three sessions logged and two check-ins, over the plan's first days."""
    for back, before, after in ((9, 5, 4), (7, 4, 3), (2, 3, 2)):
        day = (TODAY - timedelta(days=back)).isoformat()
        body = {"date": day, "pain_before": before, "pain_after": after}
        assert api(client, "post", "/api/logs", body)["status"] == "logged"
    for back, nprs in ((8, 4), (1, 2)):
        day = (TODAY - timedelta(days=back)).isoformat()
        body = {"date": day, "nprs": nprs, "none_of_these": True}
        api(client, "post", "/api/checkins", body)


def text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def svgs(response) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", response.content.decode(), flags=re.S)


def flag_ids() -> list[str]:
    from psoas.core.content.loader import catalog
    from psoas.core.profile import parse_profile
    from psoas.core.screening.referral import questions_to_ask

    profile = parse_profile(active_plan(local_person()).profile.data)
    return [f.id for f in questions_to_ask(profile, catalog(), every_session_only=True)]


def all_no(**extra) -> dict:
    """The one-screen check answered "None of these", and the rest given."""
    return {"warning_signs": "none", **extra}


def yes_to(*signs: str, **extra) -> dict:
    """The check answered "Yes, one or more", with these signs ticked."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data["warning_signs"] = "yes"
    data.setlist("sign", list(signs))
    for k, v in extra.items():
        data[k] = v
    return data


# --- progress ---------------------------------------------------------------------------


def test_progress_without_a_plan_says_so_in_plain_words(client):
    r = client.get("/progress/")
    assert r.status_code == 200
    assert "You do not have a plan yet" in text(r)
    assert 'href="/start/"' in r.content.decode()
    assert not svgs(r)


def test_progress_with_a_plan_and_no_records_has_empty_states(client):
    api(client, "put", "/api/profile", {k: v for k, v in PROFILE.items() if k != "pain"})
    api(client, "post", "/api/plan", {"start": TODAY.isoformat()})
    r = client.get("/progress/")
    page = text(r)
    assert r.status_code == 200
    assert "No pain scores yet" in page
    assert "Nothing yet. When you finish a session" in page
    assert "Once a week, the check-in asks" in page
    # the calendar is there from day one: every day still planned or rest
    [cal] = [s for s in svgs(r) if "chart--calendar" in s]
    assert 'data-state="missed"' not in cal and 'data-state="done"' not in cal


def test_progress_draws_pain_with_baseline_and_mcid(client, seeded):
    r = client.get("/progress/")
    assert r.status_code == 200
    charts = svgs(r)
    [pain] = [s for s in charts if "Pain over the last 12 weeks" in s]
    assert 'role="img"' in pain and "<title" in pain and "<desc" in pain
    assert 'class="baseline" data-value="5"' in pain  # the profile's pain at the start
    assert 'class="mcid" data-value="3"' in pain  # 2 points better (NPRS)
    assert pain.count('class="point point--checkin"') == 5  # 3 pain-before + 2 check-ins
    assert pain.count('class="point point--session"') == 3  # pain after each session
    page = text(r)
    assert "At the start: 5 out of 10. Now: 2" in page
    assert "Pain each week, as a table" in page


def test_progress_calendar_has_a_cell_per_planned_day(client, seeded):
    r = client.get("/progress/")
    [cal] = [s for s in svgs(r) if "chart--calendar" in s]
    plan = active_plan(local_person())
    planned = ScheduledSession.objects.filter(plan=plan).count()
    assert cal.count(" data-planned") == planned
    assert cal.count('<g class="cell') == 7 * len(plan.data["weeks"])
    states = dict(re.findall(r'data-day="([\d-]+)" data-state="(\w+)"', cal))
    assert states[(TODAY - timedelta(days=9)).isoformat()] == "done"
    assert states[(TODAY - timedelta(days=8)).isoformat()] == "missed"
    assert states[(TODAY + timedelta(days=1)).isoformat()] == "planned"
    # the legend names every state in words, beside its symbol
    page = text(r)
    for word in ("Done", "Partly done", "Missed", "Planned", "Rest day"):
        assert word in page
    assert "3 of 9 planned" in page  # days before today


def test_progress_shows_reached_against_plan_per_exercise(client, seeded):
    r = client.get("/progress/")
    reached = [s for s in svgs(r) if "chart--reached" in s]
    plan = active_plan(local_person())
    first_week = {e["id"] for s in plan.data["weeks"][0]["sessions"] for e in s["exercises"]}
    assert len(reached) == len(first_week)
    assert all('class="planned"' in s and 'class="done"' in s for s in reached)
    assert "Wk 1" in reached[0] and "of" in reached[0]


def test_progress_shows_the_activity_score_against_its_start(client, seeded):
    person = local_person()
    from psoas.web.outcomes.services import add_response

    answers = {"activity_1_name": "walking", "activity_2_name": "sitting"}
    answers |= {"activity_3_name": "stairs", "activity_1": 3, "activity_2": 4, "activity_3": 2}
    add_response(person, "psfs", "v", TODAY - timedelta(days=8), answers, 3.0)
    later = {**answers, "activity_1": 6, "activity_2": 6, "activity_3": 3}
    add_response(person, "psfs", "v", TODAY - timedelta(days=1), later, 5.0)
    r = client.get("/progress/")
    [psfs] = [s for s in svgs(r) if "Activity score each week" in s]
    assert 'class="baseline" data-value="3"' in psfs
    assert 'class="mcid" data-value="5"' in psfs  # higher is better: 2 points up
    page = text(r)
    assert "walking 3 6" in page
    assert "2 points higher" in page


# --- check-in ---------------------------------------------------------------------------


def test_checkin_without_a_plan_points_to_the_start(client):
    r = client.get("/checkin/")
    assert r.status_code == 200 and 'href="/start/"' in r.content.decode()
    assert client.post("/checkin/", {"pain": "3"}).status_code == 409
    assert not PainCheckin.objects.exists()


def test_checkin_form_asks_pain_and_each_warning_sign(client, planned):
    r = client.get("/checkin/")
    body = r.content.decode()
    assert r.status_code == 200
    assert body.count('name="pain"') == 11
    assert 'name="warning_signs" value="none"' in body
    assert 'name="warning_signs" value="yes"' in body
    for fid in flag_ids():  # each sign listed once, and ticked only after a yes
        assert f'name="sign" value="{fid}"' in body
    assert " checked" not in body  # nothing is chosen for the person
    assert "Weekly activity check" in body  # due at the first check-in


def test_checkin_bad_pain_names_the_field_and_saves_nothing(client, planned):
    r = client.post("/checkin/", all_no(pain="11", note="knee felt odd"))
    assert r.status_code == 400
    page = text(r)
    assert "Pain right now: '11' is not allowed" in page
    assert 'aria-invalid="true"' in r.content.decode()
    assert "knee felt odd" in r.content.decode()  # nothing typed is lost
    assert 'value="none" id="warning_signs-none" required checked' in r.content.decode()
    assert not PainCheckin.objects.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Warning signs: choose None of these, or Yes, one or more."),
        ({"warning_signs": "maybe"}, "Warning signs: choose None of these"),
        ({"warning_signs": "yes"}, "Warning signs: you chose Yes. Tick each sign you have."),
        ({"warning_signs": "none", "sign": "saddle_numbness"}, "but you ticked a sign"),
        ({"warning_signs": "yes", "sign": "pregnancy_bleeding"}, "tick only signs from the"),
    ],
)
def test_checkin_unanswered_check_names_the_question_and_saves_nothing(
    client, planned, form, message
):
    r = client.post("/checkin/", {"pain": "3", **form})
    assert r.status_code == 400
    assert message in text(r)
    assert 'href="#warning_signs-none"' in r.content.decode() or 'href="#sign-' in (
        r.content.decode()
    )
    assert 'id="pain_3" checked' in r.content.decode()
    assert not PainCheckin.objects.exists()
    assert active_plan(local_person()).data["status"] == "ok"


def test_checkin_saves_pain_and_shows_what_was_saved(client, planned):
    r = client.post("/checkin/", all_no(pain="3", note="ok day"))
    assert r.status_code == 302 and r["Location"] == "/checkin/done/"
    [saved] = PainCheckin.objects.all()
    assert (saved.nprs, saved.red_flags, saved.note, saved.date) == (3, [], "ok day", TODAY)
    done = client.get("/checkin/done/")
    assert "Saved: pain 3 out of 10 today." in text(done)
    assert client.get("/checkin/done/").status_code == 302  # shown once


def test_checkin_weekly_activity_check(client, planned):
    psfs = {"activity_1_name": "walking", "activity_1": "4", "activity_2_name": "sitting"}
    r = client.post("/checkin/", all_no(pain="3", **psfs))
    assert r.status_code == 400
    page = text(r)
    assert "Activity 2: pick a number from 0 to 10." in page
    assert "Activity 3: name a thing you find hard to do." in page
    assert 'value="walking"' in r.content.decode()
    assert not PainCheckin.objects.exists() and not QuestionnaireResponse.objects.exists()
    psfs |= {"activity_2": "5", "activity_3_name": "stairs", "activity_3": "6"}
    r = client.post("/checkin/", all_no(pain="3", **psfs))
    assert r.status_code == 302
    [resp] = QuestionnaireResponse.objects.all()
    assert resp.questionnaire_id == "psfs" and resp.score == 5.0
    assert "This is your starting point." in text(client.get("/checkin/done/"))
    # asked again only next week, and then with the same activities shown
    assert "Weekly activity check" not in client.get("/checkin/").content.decode()


@pytest.mark.store
def test_checkin_nul_in_text_names_the_field_and_saves_nothing(client, planned):
    """Reliability probe 4: a NUL in the note was a 500 on PostgreSQL."""
    r = client.post("/checkin/", all_no(pain="3", note="a\x00b"))
    assert r.status_code == 400 and "Note: remove the NUL character" in text(r)
    psfs = {"activity_1_name": "walk\x00ing", "activity_1": "4", "activity_2_name": "sitting"}
    psfs |= {"activity_2": "5", "activity_3_name": "stairs", "activity_3": "6"}
    r = client.post("/checkin/", all_no(pain="3", **psfs))
    assert r.status_code == 400 and "Activity 1: remove the NUL character." in text(r)
    assert not PainCheckin.objects.exists() and not QuestionnaireResponse.objects.exists()


def test_checkin_activity_check_may_be_left_empty(client, planned):
    assert client.post("/checkin/", all_no(pain="2")).status_code == 302
    assert PainCheckin.objects.count() == 1 and not QuestionnaireResponse.objects.exists()


def test_warning_sign_stops_the_program_and_refers(client, planned):
    first = flag_ids()[0]
    r = client.post("/checkin/", yes_to(first, pain="4"))
    assert r.status_code == 200
    assert 'class="referral' in r.content.decode()
    assert "Your program is stopped for now." in text(r)
    [saved] = PainCheckin.objects.all()
    assert saved.red_flags == [first]
    plan = active_plan(local_person())
    assert plan.data["status"] == "refer" and not plan.scheduled.exists()
    # from now on the check-in shows the referral, and a POST changes nothing
    assert 'class="referral' in client.get("/checkin/").content.decode()
    assert client.post("/checkin/", all_no(pain="1")).status_code == 409
    assert PainCheckin.objects.count() == 1
    assert "Your program is stopped" in text(client.get("/progress/"))


def test_warning_sign_refers_even_without_a_pain_score(client, planned):
    first = flag_ids()[0]
    r = client.post("/checkin/", yes_to(first))
    assert r.status_code == 200 and 'class="referral' in r.content.decode()
    assert active_plan(local_person()).data["status"] == "refer"
    assert not PainCheckin.objects.exists()  # no pain score given: none invented
