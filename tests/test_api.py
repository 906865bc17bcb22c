"""The JSON API through Django's test client and the real URLconf: every route, its happy
path and its bad input (always a 422 or 404 naming the field, never a 500), and one flow
from a profile to a finished session that shows in progress."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.outcomes.models import PainCheckin
from psoas.web.programs.models import Person, ProfileVersion
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.tracking.models import SessionLog, SetLog
from psoas.web.tracking.services import start_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "sitting_hours_per_day": 8,  # a session every day, so any recent day has one
    "equipment": ["chair"],
    "pain": {"nprs": 5},
}
TODAY = date.today()
START = TODAY - timedelta(days=3)
FUTURE = (TODAY + timedelta(days=1)).isoformat()


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)  # a server error fails the test loudly


def send(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def planned(client):
    """A saved profile and an active plan that started three days ago."""
    assert send(client, "put", "/api/profile", PROFILE).status_code == 200
    r = send(client, "post", "/api/plan", {"start": START.isoformat()})
    assert r.status_code == 200
    return r.json()


@pytest.fixture
def started(client, planned):
    body = {"date": TODAY.isoformat(), "pain_before": 4, "none_of_these": True}
    r = send(client, "post", "/api/sessions", body)
    assert r.status_code == 200 and r.json()["status"] == "started"
    return r.json()


def fields(response) -> list[list]:
    """The `loc` of each error in a 422 body: where the bad input was."""
    assert response.status_code == 422, response.content
    return [e["loc"] for e in response.json()["detail"]]


def one_set(**over):
    return {"side": "left", "set_number": 1, "reps_done": 10, "status": "done", **over}


def other_persons_session() -> SessionLog:
    local_person()  # the local person exists first, so the API does not act as the other
    other = Person.objects.create(name="someone else")
    version = save_profile(other, PROFILE)
    plan = save_plan(other, version, build_plan(parse_profile(PROFILE)), START)
    return start_session(other, plan, TODAY, 1, 0)


# --- profile ---------------------------------------------------------------------------


def test_profile_versions(client):
    assert client.get("/api/profile").status_code == 404
    assert send(client, "put", "/api/profile", PROFILE).json()["version"] == 1
    r = send(client, "put", "/api/profile", {**PROFILE, "age": 41})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert r.json()["profile"]["age"] == 41
    assert client.get("/api/profile").json()["version"] == 2
    versions = client.get("/api/profile/versions").json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["profile"]["age"] == 40


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({**PROFILE, "age": "forty"}, ["body", "profile", "age"]),
        ({**PROFILE, "age": 300}, ["body", "profile", "age"]),
        ({**PROFILE, "favourite_colour": "red"}, ["body", "profile", "favourite_colour"]),
        ({**PROFILE, "red_flags": ["not_a_flag"]}, ["body", "profile", "red_flags", 0]),
        ({"age": 40}, ["body", "profile", "schema"]),
    ],
)
def test_profile_bad_input_saves_nothing(client, body, loc):
    assert loc in fields(send(client, "put", "/api/profile", body))
    assert not ProfileVersion.objects.exists()


# --- plan and today --------------------------------------------------------------------


def test_plan_needs_a_profile(client):
    assert send(client, "post", "/api/plan").status_code == 404
    assert client.get("/api/plan").status_code == 404


def test_plan_built_and_active(client, planned):
    assert planned["plan"]["status"] == "ok" and planned["profile_version"] == 1
    assert planned["start_date"] == START.isoformat()
    assert client.get("/api/plan").json()["plan_id"] == planned["plan_id"]
    r = send(client, "post", "/api/plan")  # no body: starts today
    assert r.status_code == 200 and r.json()["start_date"] == TODAY.isoformat()
    assert client.get("/api/plan").json()["plan_id"] == r.json()["plan_id"]


def test_plan_bad_start(client, planned):
    assert ["body", "payload", "start"] in fields(
        send(client, "post", "/api/plan", {"start": "soon"})
    )
    assert ["body", "payload", "begin"] in fields(
        send(client, "post", "/api/plan", {"begin": "2026-01-01"})
    )


def test_red_flag_profile_plan_refers_with_200(client):
    send(client, "put", "/api/profile", {**PROFILE, "red_flags": ["saddle_numbness"]})
    r = send(client, "post", "/api/plan")
    assert r.status_code == 200
    assert r.json()["plan"]["status"] == "refer" and r.json()["plan"]["weeks"] == []
    today = client.get("/api/today").json()
    assert today["status"] == "refer" and today["referral"]["reasons"]


def test_today(client, planned):
    assert client.get("/api/today").json()["status"] == "session"
    r = client.get(f"/api/today?date={START.isoformat()}")
    assert r.json()["week"] == 1 and r.json()["session"]["exercises"]
    before = client.get(f"/api/today?date={(START - timedelta(days=1)).isoformat()}")
    assert before.json()["status"] == "not_started"
    assert ["query", "date"] in fields(client.get(f"/api/today?date={FUTURE}"))
    assert ["query", "date"] in fields(client.get("/api/today?date=tuesday"))


def test_today_needs_a_plan(client):
    assert client.get("/api/today").status_code == 404


# --- sessions ---------------------------------------------------------------------------


def test_session_start(started):
    assert started["week"] == 1 and started["session"]["exercises"]
    log = SessionLog.objects.get(pk=started["session_id"])
    assert log.status == "in_progress" and log.pain_before == 4


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"date": FUTURE}, ["body", "payload", "date"]),
        ({"pain_before": 11}, ["body", "payload", "pain_before"]),
        ({"pain_before": "bad"}, ["body", "payload", "pain_before"]),
        ({"red_flags": ["nope"]}, ["body", "payload", "red_flags", 0]),
        ({"mood": "fine"}, ["body", "payload", "mood"]),
        ({}, ["body", "payload", "none_of_these"]),  # the safety check not answered
        ({"red_flags": None}, ["body", "payload", "none_of_these"]),
        ({"none_of_these": False}, ["body", "payload", "none_of_these"]),
        ({"none_of_these": False, "red_flags": []}, ["body", "payload", "none_of_these"]),
        (
            {"none_of_these": True, "red_flags": ["saddle_numbness"]},
            ["body", "payload", "none_of_these"],
        ),
    ],
)
def test_session_start_bad_input(client, planned, body, loc):
    assert loc in fields(send(client, "post", "/api/sessions", body))
    assert not SessionLog.objects.exists()


def test_session_start_outside_the_plan_is_409(client, planned):
    before = (START - timedelta(days=1)).isoformat()
    r = send(client, "post", "/api/sessions", {"date": before, "none_of_these": True})
    assert r.status_code == 409 and r.json()["detail"].startswith("date:")


def test_session_start_with_a_warning_sign_stops_the_program(client, planned):
    body = {"pain_before": 6, "red_flags": ["saddle_numbness"]}
    r = send(client, "post", "/api/sessions", body)
    assert r.status_code == 200 and r.json()["status"] == "refer"
    assert r.json()["referral"]["reasons"][0]["id"] == "saddle_numbness"
    assert not SessionLog.objects.exists()
    assert client.get("/api/plan").json()["plan"]["status"] == "refer"


def test_record_exercise_and_finish(client, started):
    sid, ex = started["session_id"], started["session"]["exercises"][0]
    sets = [one_set(side=side, pain_during=1, effort="about_right") for side in ("left", "right")]
    body = {"exercise_id": ex["id"], "dose_week": 1, "sets": sets}
    r = send(client, "post", f"/api/sessions/{sid}/exercises", body)
    assert r.status_code == 200 and r.json()["saved"] == 2
    assert set(SetLog.objects.values_list("side", flat=True)) == {"left", "right"}
    r = send(
        client, "post", f"/api/sessions/{sid}/finish", {"status": "completed", "pain_after": 2}
    )
    assert r.status_code == 200 and r.json()["status"] == "completed"
    again = send(client, "post", f"/api/sessions/{sid}/exercises", body)
    assert again.status_code == 409 and "session_id" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"exercise_id": "moonwalk", "sets": [one_set()]}, ["body", "payload", "exercise_id"]),
        ({"exercise_id": "clamshell", "sets": []}, ["body", "payload", "sets"]),
        (
            {"exercise_id": "clamshell", "sets": [one_set(), one_set(pain_during=11)]},
            ["body", "payload", "sets", 1, "pain_during"],
        ),
        (
            {"exercise_id": "clamshell", "sets": [one_set(side="middle")]},
            ["body", "payload", "sets", 0, "side"],
        ),
        (
            {"exercise_id": "clamshell", "sets": [one_set(reps_done="ten")]},
            ["body", "payload", "sets", 0, "reps_done"],
        ),
        (
            {"exercise_id": "clamshell", "sets": [one_set(effort="meh")]},
            ["body", "payload", "sets", 0, "effort"],
        ),
        (
            {"exercise_id": "clamshell", "sets": [one_set(colour="red")]},
            ["body", "payload", "sets", 0, "colour"],
        ),
    ],
)
def test_record_exercise_bad_input_saves_no_set(client, started, body, loc):
    url = f"/api/sessions/{started['session_id']}/exercises"
    assert loc in fields(send(client, "post", url, body))
    assert not SetLog.objects.exists()


@pytest.mark.parametrize("action", ["exercises", "finish"])
def test_unknown_or_someone_elses_session_is_404(client, planned, action):
    body = (
        {"exercise_id": "clamshell", "sets": [one_set()]}
        if action == "exercises"
        else {"status": "completed"}
    )
    theirs = other_persons_session()
    for sid in (theirs.id, 999_999):
        r = send(client, "post", f"/api/sessions/{sid}/{action}", body)
        assert r.status_code == 404 and r.json()["detail"].startswith("session_id:")
    assert ["path", "session_id"] in fields(send(client, "post", f"/api/sessions/x/{action}", body))
    huge = f"/api/sessions/{10**30}/{action}"
    assert ["path", "session_id"] in fields(send(client, "post", huge, body))
    theirs.refresh_from_db()
    assert theirs.status == "in_progress" and not theirs.sets.exists()


def test_finish_bad_input(client, started):
    url = f"/api/sessions/{started['session_id']}/finish"
    assert ["body", "payload", "status"] in fields(send(client, "post", url, {"status": "done"}))
    bad_pain = {"status": "completed", "pain_after": -1}
    assert ["body", "payload", "pain_after"] in fields(send(client, "post", url, bad_pain))
    assert SessionLog.objects.get().status == "in_progress"


# --- logs ------------------------------------------------------------------------------


def test_log_a_session_done_away(client, planned):
    body = {"date": START.isoformat(), "effort": "too_easy", "pain_before": 3, "pain_after": 2}
    r = send(client, "post", "/api/logs", body)
    assert r.status_code == 200 and r.json()["status"] == "logged" and r.json()["sets"] > 0
    log = SessionLog.objects.get(pk=r.json()["session_id"])
    assert (log.source, log.status, log.pain_after) == ("manual", "completed", 2)
    assert log.sets.count() == r.json()["sets"]
    assert PainCheckin.objects.get().nprs == 3


def test_log_chosen_exercises(client, planned):
    ex_id = planned["plan"]["weeks"][0]["sessions"][0]["exercises"][0]["id"]
    r = send(client, "post", "/api/logs", {"exercises": [ex_id, ex_id]})
    assert r.status_code == 200
    assert set(SetLog.objects.values_list("exercise_id", flat=True)) == {ex_id}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"date": FUTURE}, ["body", "payload", "date"]),
        ({"exercises": ["moonwalk"]}, ["body", "payload", "exercises", 0]),
        ({"pain_after": 12}, ["body", "payload", "pain_after"]),
        ({"effort": "hard"}, ["body", "payload", "effort"]),
        ({"sets": 3}, ["body", "payload", "sets"]),
    ],
)
def test_log_bad_input_saves_nothing(client, planned, body, loc):
    assert loc in fields(send(client, "post", "/api/logs", body))
    assert not SessionLog.objects.exists()


def test_log_exercise_not_in_the_plan_week(client, planned):
    in_plan = {
        e["id"] for w in planned["plan"]["weeks"] for s in w["sessions"] for e in s["exercises"]
    }
    outside = next(i for i in ("lizard_pose", "forward_lunge", "ball_bridge") if i not in in_plan)
    r = send(client, "post", "/api/logs", {"exercises": [outside]})
    assert ["body", "payload", "exercises", 0] in fields(r)
    assert not SessionLog.objects.exists()


def test_log_before_the_plan_starts_is_409(client, planned):
    before = (START - timedelta(days=1)).isoformat()
    assert send(client, "post", "/api/logs", {"date": before}).status_code == 409


# --- check-ins, history, progress -----------------------------------------------------------


def test_checkin(client, planned):
    r = send(client, "post", "/api/checkins", {"nprs": 4, "note": "stiff", "none_of_these": True})
    assert r.status_code == 200 and r.json()["referral"] is None
    assert PainCheckin.objects.get().note == "stiff"
    # the list of yeses left empty, as clients from before the one-screen check send it
    legacy = send(client, "post", "/api/checkins", {"nprs": 3, "red_flags": []})
    assert legacy.status_code == 200 and legacy.json()["red_flags"] == []


def test_checkin_red_flag_refers_and_stops_the_program(client, planned):
    body = {"nprs": 8, "red_flags": ["saddle_numbness", "saddle_numbness"]}
    r = send(client, "post", "/api/checkins", body)
    assert r.status_code == 200
    assert r.json()["red_flags"] == ["saddle_numbness"] and r.json()["referral"]["reasons"]
    plan = client.get("/api/plan").json()
    assert plan["plan"]["status"] == "refer" and plan["profile_version"] == 2
    assert client.get("/api/today").json()["status"] == "refer"
    body = {"none_of_these": True}
    assert send(client, "post", "/api/sessions", body).json()["status"] == "refer"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"nprs": 11}, ["body", "payload", "nprs"]),
        ({"nprs": "high"}, ["body", "payload", "nprs"]),
        ({}, ["body", "payload", "nprs"]),
        ({"nprs": 3, "red_flags": ["zombie_bite"]}, ["body", "payload", "red_flags", 0]),
        ({"nprs": 3, "date": FUTURE}, ["body", "payload", "date"]),
        ({"nprs": 3, "mood": "ok"}, ["body", "payload", "mood"]),
        ({"nprs": 3}, ["body", "payload", "none_of_these"]),  # the check not answered
        ({"nprs": 3, "none_of_these": False}, ["body", "payload", "none_of_these"]),
        (
            {"nprs": 3, "none_of_these": True, "red_flags": ["saddle_numbness"]},
            ["body", "payload", "none_of_these"],
        ),
    ],
)
def test_checkin_bad_input_saves_nothing(client, planned, body, loc):
    assert loc in fields(send(client, "post", "/api/checkins", body))
    assert not PainCheckin.objects.exists()
    assert client.get("/api/plan").json()["plan"]["status"] == "ok"


def test_checkin_needs_a_plan(client):
    body = {"nprs": 3, "none_of_these": True}
    assert send(client, "post", "/api/checkins", body).status_code == 404


def test_history_and_progress_bad_input(client, planned):
    assert client.get("/api/history").json() == []
    assert ["query", "limit"] in fields(client.get("/api/history?limit=0"))
    assert ["query", "date"] in fields(client.get(f"/api/progress?date={FUTURE}"))
    assert client.get("/api/progress").json()["pain"]["baseline"] == 5


def test_malformed_json_is_a_client_error(client, planned):
    r = client.post("/api/checkins", "{nprs:", content_type="application/json")
    assert r.status_code == 400


# --- the schema and the docs -------------------------------------------------------------


def test_openapi_lists_every_route(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    expected = {
        "/api/profile": {"get", "put"},
        "/api/profile/versions": {"get"},
        "/api/plan": {"get", "post"},
        "/api/today": {"get"},
        "/api/sessions": {"post"},
        "/api/sessions/{session_id}/exercises": {"post"},
        "/api/sessions/{session_id}/finish": {"post"},
        "/api/sessions/{session_id}/coach": {"post"},
        "/api/logs": {"post"},
        "/api/checkins": {"post"},
        "/api/history": {"get"},
        "/api/progress": {"get"},
        "/api/block": {"get"},
        "/api/block/review": {"post"},
        "/api/block/choice": {"post"},
        "/api/breaks": {"get"},
        "/api/breaks/stats": {"get"},
        "/api/breaks/events": {"post"},
        "/api/breaks/now/finish": {"post"},
        "/api/breaks/settings": {"get", "put"},
        "/api/messages": {"get", "post"},
        "/api/messages/read": {"post"},
        "/api/clinic/messages": {"get"},
        "/api/clinic/patients/{public_id}/messages": {"get", "post"},
        "/api/clinic/patients/{public_id}/messages/read": {"post"},
        "/api/clinic/patients/{public_id}/program": {"get", "post"},
    }
    assert {p: set(ops) for p, ops in paths.items()} == expected


def test_docs_page_is_served_locally(client):
    """The docs page works offline: Swagger UI comes from our own static files."""
    r = client.get("/api/docs")
    assert r.status_code == 200 and b"/api/openapi.json" in r.content
    assert b"cdn." not in r.content and b"/static/ninja/swagger-ui-bundle.js" in r.content
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


# --- the whole flow -----------------------------------------------------------------------


def test_profile_to_progress(client):
    send(client, "put", "/api/profile", PROFILE)
    send(client, "post", "/api/plan", {"start": START.isoformat()})
    today = client.get("/api/today").json()
    assert today["status"] == "session"
    started = send(client, "post", "/api/sessions", {"pain_before": 5, "none_of_these": True})
    started = started.json()
    sid = started["session_id"]
    for ex in started["session"]["exercises"]:
        sides = ["left", "right"] if ex["side"] == "each" else [ex["side"]]
        sets = [
            {
                "side": side,
                "set_number": n,
                "planned_reps": ex["reps"],
                "reps_done": ex["reps"],
                "planned_hold_s": ex["hold_s"],
                "hold_s_done": ex["hold_s"],
                "pain_during": 0,
                "effort": "about_right",
                "status": "done",
            }
            for n in range(1, ex["sets"] + 1)
            for side in sides
        ]
        body = {"exercise_id": ex["id"], "dose_week": ex["dose_week"], "sets": sets}
        assert send(client, "post", f"/api/sessions/{sid}/exercises", body).status_code == 200
    finish = {"status": "completed", "pain_after": 3}
    assert send(client, "post", f"/api/sessions/{sid}/finish", finish).status_code == 200
    send(client, "post", "/api/checkins", {"nprs": 3, "none_of_these": True})
    progress = client.get("/api/progress").json()
    assert progress["adherence"]["done"] == 1
    done_ids = {a["exercise_id"] for a in progress["achieved"]}
    assert done_ids == {ex["id"] for ex in started["session"]["exercises"]}
    assert progress["pain"]["latest"] == 3
    assert client.get("/api/history").json()[0]["id"] == sid


# --- idempotent exercise saves (the browser player resends after a reload or offline) ----


def test_resending_an_exercise_keeps_one_save(client, started):
    sid, ex = started["session_id"], started["session"]["exercises"][0]
    body = {"exercise_id": ex["id"], "dose_week": 1, "sets": [one_set(), one_set(side="right")]}
    url = f"/api/sessions/{sid}/exercises"
    first = send(client, "post", url, body)
    assert first.status_code == 200 and first.json()["created"] is True
    changed = {**body, "sets": [one_set(reps_done=3, status="skipped")]}  # a late, different resend
    for again_body in (body, changed):
        again = send(client, "post", url, again_body)
        assert again.status_code == 200
        assert again.json() == {**first.json(), "created": False}
    rows = SetLog.objects.filter(session_id=sid)
    assert rows.count() == 2 and set(rows.values_list("reps_done", flat=True)) == {10}
    other = "clamshell" if ex["id"] != "clamshell" else "glute_bridge"
    r = send(client, "post", url, {**body, "exercise_id": other})
    assert r.json()["created"] is True and SetLog.objects.filter(session_id=sid).count() == 4


# --- hostile input (reliability probe, findings 4, 11 and 12) ------------------------------


def test_far_future_plan_start_is_a_422_and_keeps_the_plan(client, planned):
    """Probe 4: `{"start": "9999-12-31"}` was a 500 (a date overflow laying out week 6)."""
    last = TODAY + timedelta(days=366)
    for start in ("9999-12-31", "9999-11-01", (last + timedelta(days=1)).isoformat()):
        r = send(client, "post", "/api/plan", {"start": start})
        assert ["body", "payload", "start"] in fields(r)
    assert client.get("/api/plan").json()["plan_id"] == planned["plan_id"]
    r = send(client, "post", "/api/plan", {"start": last.isoformat()})
    assert r.status_code == 200 and r.json()["start_date"] == last.isoformat()


@pytest.mark.parametrize(
    ("url", "body", "loc"),
    [
        ("/api/logs", {"notes": "a\u0000b"}, ["body", "payload", "notes"]),
        ("/api/checkins", {"nprs": 3, "note": "\u0000"}, ["body", "payload", "note"]),
    ],
)
def test_nul_in_text_is_a_422_naming_the_field(client, planned, url, body, loc):
    """Probe 4: a NUL in free text was a 500 on PostgreSQL (it cannot store one); now it
    is refused on every database, before anything is written."""
    assert loc in fields(send(client, "post", url, body))
    assert not SessionLog.objects.exists() and not PainCheckin.objects.exists()


def error_body(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    return detail


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_a_json_400(client, planned, depth):
    deep = "[" * depth + "]" * depth
    for body in (deep, '{"start": ' + deep + "}"):
        r = client.post("/api/plan", body, content_type="application/json")
        if r.status_code == 422:  # shallow enough to parse: the field is named
            assert ["body", "payload", "start"] in fields(r)
        else:
            error_body(r, 400)
    assert client.get("/api/plan").json()["plan_id"] == planned["plan_id"]


def test_a_body_over_the_limit_is_a_json_413(client):
    """Probe 12: a 3 MB body got Django's HTML 'Bad Request (400)' page."""
    body = {**PROFILE, "activities": ["walking"] * 400_000}
    r = send(client, "put", "/api/profile", body)
    assert error_body(r, 413).startswith("body:")
    assert not ProfileVersion.objects.exists()


def test_openapi_documents_every_error_with_its_body(client):
    """Probe 11: the schema listed only 200; every status a route answers is there now,
    with the shape of its body."""
    schema = client.get("/api/openapi.json").json()
    shapes = schema["components"]["schemas"]
    assert shapes["ErrorOut"]["required"] == ["detail"]
    assert shapes["ValidationErrorOut"]["properties"]["detail"]["type"] == "array"
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert {"200", "401"} <= codes, (method, path)
            if "requestBody" in op:
                assert {"400", "403", "413", "415", "422"} <= codes, (method, path)
            needs_plan = not path.startswith("/api/breaks")  # move breaks need none
            if "{session_id}" in path or (method == "post" and needs_plan):
                assert "404" in codes, (method, path)
            for code, answer in op["responses"].items():
                ref = answer["content"]["application/json"]["schema"].get("$ref", "")
                if code == "422":
                    assert ref.endswith("/ValidationErrorOut")
                elif code != "200":
                    assert ref.endswith("/ErrorOut"), (method, path, code)
    assert "409" in schema["paths"]["/api/sessions/{session_id}/finish"]["post"]["responses"]


def documented(client, method: str, path: str, response) -> None:
    """The answer's status is in the schema for that operation."""
    schema = client.get("/api/openapi.json").json()
    assert str(response.status_code) in schema["paths"][path][method]["responses"]


def test_real_error_answers_are_the_documented_ones(client, started):
    sid = started["session_id"]
    finish = f"/api/sessions/{sid}/finish"
    assert send(client, "post", finish, {"status": "completed"}).status_code == 200
    again = send(client, "post", finish, {"status": "completed"})
    assert error_body(again, 409).startswith("session_id:")
    documented(client, "post", "/api/sessions/{session_id}/finish", again)
    missing = send(client, "post", "/api/sessions/999999/finish", {"status": "completed"})
    assert error_body(missing, 404).startswith("session_id:")
    documented(client, "post", "/api/sessions/{session_id}/finish", missing)
    empty = client.post("/api/checkins", content_type="application/json")
    assert ["body", "payload", "nprs"] in fields(empty)
    documented(client, "post", "/api/checkins", empty)
    nul = client.post("/api/logs", "\x00", content_type="application/json")
    assert error_body(nul, 400)
    documented(client, "post", "/api/logs", nul)


@pytest.mark.parametrize("page", ["/", "/today/", "/plan/", "/progress/", "/checkin/", "/start/"])
def test_pages_answer_head(client, planned, page):
    """Probe 12: `HEAD /today/` was a 405."""
    head, get = client.head(page), client.get(page)
    assert head.status_code == get.status_code and head.status_code in (200, 302)
