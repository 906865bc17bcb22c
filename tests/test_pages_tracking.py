"""The today page and the browser player's page, through Django's test client: every
state of the day, the start form (its errors name the question, a yes refers and stops the
program), the player's timeline (the core's own), and a session logged by hand."""

from __future__ import annotations

import html
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
from psoas.web.tracking.warning_signs import sign_text

pytestmark = [pytest.mark.django_db(transaction=True)]

DAILY = {  # a session every day, so today has one
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 8,
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 5},
}
PREGNANT = {**DAILY, "age": 32, "pregnancy_weeks": 24}
POSTPARTUM = {**DAILY, "age": 32, "postpartum_weeks": 10}
SURGERY = {**DAILY, "conditions": ["recent_surgery"]}
TODAY = date.today()


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def make_plan(profile=DAILY, start=TODAY - timedelta(days=3)):
    person = local_person()
    version = save_profile(person, profile)
    return save_plan(person, version, build_plan(parse_profile(profile)), start)


def plan_with_session_today(profile):
    """A plan whose schedule has a session today, whatever its days a week."""
    person = local_person()
    version = save_profile(person, profile)
    built = build_plan(parse_profile(profile))
    assert built["status"] == "ok"
    for back in range(7):
        plan = save_plan(person, version, built, TODAY - timedelta(days=back))
        if plan.scheduled.filter(date=TODAY).exists():
            return plan
    raise AssertionError("no start gives a session today")


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


def answers(plan, pain="3", check="none", signs=()):
    """The start form: the one-screen check ("none" or "yes" with `signs` ticked; None
    leaves it unanswered) and the pain score (None leaves it out)."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    if check is not None:
        data["warning_signs"] = check
    data.setlist("sign", list(signs))
    if pain is not None:
        data["pain"] = pain
    return data


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
    assert "about " in body and "minute" in body and "Block 1, week 1 of 6" in body
    assert info["session"]["name"] in body
    # the check folds under the start, closed until the person opens it
    assert '<details class="today-start">' in body
    assert re.search(r"\d+ sets? of \d+ (reps|seconds)", body)
    questions = safety_questions(plan)
    assert len(questions) >= 5
    # one screen: every sign listed in words, one answer, and no answer chosen for you
    listed = re.search(r'<ul class="signs__list".*?</ul>', body).group(0)
    for q in questions:
        assert html.escape(sign_text(q), quote=False) in listed
        assert f'name="sign" value="{q.id}"' in body
    assert body.count('name="warning_signs"') == 2
    assert "None of these" in body and "Yes, one or more" in body
    assert " checked" not in body
    assert 'name="flag_' not in body  # no question-by-question yes/no any more
    assert body.count('name="pain"') == 11
    assert "I did it without the app" in body
    assert "pregnant" not in body and "surgery" not in body


def test_pregnant_person_gets_pregnancy_warning_signs(client):
    make_plan(PREGNANT)
    body = text(client.get("/today/"))
    assert 'value="pregnancy_bleeding"' in body
    assert 'value="pregnancy_reduced_movement"' in body
    assert "You are pregnant or had a baby" in body


@pytest.mark.parametrize(
    ("profile", "sign", "words"),
    [
        (POSTPARTUM, "postpartum_heavy_bleeding", "You are pregnant or had a baby"),
        (SURGERY, "surgery_wound_or_fever", "You had surgery not long ago"),
    ],
)
def test_after_a_birth_or_surgery_their_warning_signs_are_listed(client, profile, sign, words):
    plan_with_session_today(profile)
    body = text(client.get("/today/"))
    assert f'value="{sign}"' in body and words in body
    assert 'value="pregnancy_bleeding"' not in body


def test_rest_day_shows_next_date(client):
    plan = rest_plan()
    r = client.get("/today/")
    assert r.context["state"] == "rest_day"
    nxt = plan.scheduled.filter(date__gt=TODAY).order_by("date").first().date
    assert "Rest day" in text(r) and nxt.strftime("%B") in text(r)
    assert 'name="warning_signs"' not in text(r)


def test_not_started_yet(client):
    make_plan(start=TODAY + timedelta(days=5))
    r = client.get("/today/")
    assert r.context["state"] == "not_started" and "has not started" in text(r)


def test_a_finished_block_leads_to_its_retest(client):
    """Six weeks on, Today no longer says "week 9 of your plan" nor offers a new plan from
    scratch: the block is over, and the way on is its re-test (issue 16 item 1)."""
    make_plan(start=TODAY - timedelta(days=60))
    r = client.get("/today/")
    assert r.context["state"] == "block_end"
    assert "Block 1: all 6 weeks done" in text(r) and "Your six weeks are done" in text(r)
    assert 'href="/block/">Do the re-test</a>' in text(r) and 'href="/start/"' not in text(r)


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
    assert 'class="referral alert' in text(r) and 'name="warning_signs"' not in text(r)


# --- the start form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "signs", "message", "anchor"),
    [
        (None, (), "choose None of these, or Yes, one or more", "warning_signs-none"),
        ("", (), "choose None of these, or Yes, one or more", "warning_signs-none"),
        ("no", (), "choose None of these, or Yes, one or more", "warning_signs-none"),
        ("yes", (), "you chose Yes. Tick each sign you have", "sign-saddle_numbness"),
        ("none", ("trouble_peeing",), "but you ticked a sign", "warning_signs-none"),
        ("yes", ("made_up",), "tick only signs from the list", "sign-saddle_numbness"),
    ],
)
def test_unanswered_check_blocks_the_session_and_saves_nothing(
    client, check, signs, message, anchor
):
    plan = make_plan()
    r = client.post("/today/", answers(plan, check=check, signs=signs))
    assert r.status_code == 400
    body = text(r)
    assert "Warning signs: " in body and message in body and f'href="#{anchor}"' in body
    assert 'id="warning_signs-error"' in body
    assert 'aria-describedby="warning_signs-error"' in body
    assert '<details class="today-start" open>' in body  # the errors are in sight
    assert 'value="3" required' in body and " checked" in body  # the pain is kept
    assert not SessionLog.objects.exists() and not PainCheckin.objects.exists()
    assert active_plan(plan.person).id == plan.id


def test_a_yes_without_signs_opens_the_list_to_tick(client):
    plan = make_plan()
    body = text(client.post("/today/", answers(plan, check="yes")))
    assert 'value="yes" id="warning_signs-yes" required checked' in body
    assert "signs__which" in body


@pytest.mark.parametrize("pain", ["11", "-1", "lots", ""])
def test_bad_pain_is_an_error(client, pain):
    plan = make_plan()
    r = client.post("/today/", answers(plan, pain=pain))
    assert r.status_code == 400
    assert 'id="pain-error"' in text(r) and "Pain right now" in text(r)
    assert not SessionLog.objects.exists()


def test_a_yes_refers_and_stops_the_program(client):
    plan = make_plan()
    r = client.post("/today/", answers(plan, check="yes", signs=["trouble_peeing"], pain=None))
    assert r.status_code == 200
    assert 'class="referral alert' in text(r)
    assert not SessionLog.objects.exists()
    now = active_plan(plan.person)
    assert now.id != plan.id and now.data["status"] == "refer"
    assert "trouble_peeing" in now.profile.data["red_flags"]
    assert client.get("/today/").context["state"] == "refer"


def _every_sign() -> list[tuple[dict, str, str]]:
    """(a profile it applies to, id, level) of every sign asked before every session."""
    from psoas.core.content.loader import catalog

    for_whom = {
        "always": DAILY,
        "pregnant": PREGNANT,
        "postpartum": POSTPARTUM,
        "recent_surgery": SURGERY,
    }
    signs = [f for f in catalog().screening.red_flags if f.every_session]
    assert {f.ask_when for f in signs} <= set(for_whom)
    return [(for_whom[f.ask_when], f.id, f.level) for f in signs]


@pytest.mark.parametrize(("profile", "sign", "level"), _every_sign(), ids=lambda v: str(v)[:30])
def test_every_warning_sign_refers_at_its_level(client, profile, sign, level):
    plan = plan_with_session_today(profile)
    assert sign in {q.id for q in safety_questions(plan)}  # it is on the screen
    r = client.post("/today/", answers(plan, check="yes", signs=[sign], pain="2"))
    assert r.status_code == 200 and r.context["referral"]["level"] == level
    assert not SessionLog.objects.exists()
    now = active_plan(plan.person)
    assert now.data["status"] == "refer" and sign in now.profile.data["red_flags"]
    assert PainCheckin.objects.get().red_flags == [sign]


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


def test_the_check_reads_at_grade_6_or_below(client):
    """What a person reads in the check, on the page and in the terminal (textstat 0.7.3,
    Flesch-Kincaid, as the content tests)."""
    import textstat

    from psoas.web.tracking import warning_signs as ws

    make_plan(PREGNANT)
    page = re.sub(r"<[^>]+>", "\n", client.get("/today/").content.decode())
    start = page.index("Before you start")
    words = [line.strip() for line in page[start : page.index("Start the session")].split("\n")]
    signs = {ws.sign_text(q) for q in safety_questions(active_plan(local_person()))}
    listed = [w for w in words if w and html.unescape(w) not in signs]
    assert len(listed) < len(words)
    # the signs (each tested in the content) read as one list; the rest line by line
    texts = [" ".join(sorted(signs)), *listed, ws.MISSING, ws.NO_SIGN, ws.BOTH, ws.UNKNOWN]
    texts += [
        "Warning signs. Read each one. If you have any, do not exercise.",
        "Do you have any of these signs now? Type none or yes",
        "Which ones? Type their numbers, like 1 3.",
        "Type one or more numbers from 1 to 10.",
        "Before you start, a safety check. It takes one answer.",
    ]
    for t in texts:
        grade = textstat.flesch_kincaid_grade(html.unescape(t))
        assert grade <= 6, (grade, t)
