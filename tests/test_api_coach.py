"""The browser coach's endpoint, POST /api/sessions/<id>/coach, through Django's test client
and the real store: landmark batches in, the core coach's counts and cue out, its state
kept in the store across batches, what it counted saved with the exercise, every bad
field named, and nobody's session but the person's own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from psoas.cli.tracking import _camera_words
from psoas.core.coach import Coach, result
from psoas.core.coach.synthetic import movement, push_for
from psoas.core.content.loader import catalog
from psoas.web.programs.models import Person
from psoas.web.programs.services import local_person, save_plan, save_profile
from psoas.web.tracking.models import CoachRun, SessionLog
from psoas.web.tracking.services import start_session
from tests.coach_fixtures import COACHED_PROFILE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

TODAY = date.today()
T0 = 1_790_000_000.0  # the browser's clock: seconds since 1970


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def send(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def session_id(client) -> int:
    assert send(client, "put", "/api/profile", COACHED_PROFILE).status_code == 200
    start = (TODAY - timedelta(days=2)).isoformat()
    assert send(client, "post", "/api/plan", {"start": start}).status_code == 200
    body = {"date": TODAY.isoformat(), "pain_before": 2, "none_of_these": True}
    r = send(client, "post", "/api/sessions", body)
    assert r.status_code == 200, r.content
    ids = [e["id"] for e in r.json()["session"]["exercises"]]
    assert {"forward_lunge", "kneeling_hip_flexor_stretch", "side_lying_hip_flexor_stretch"} <= set(
        ids
    )
    return r.json()["session_id"]


def frame_json(frame, t0: float = T0) -> dict:
    return {
        "t": frame.t + t0,
        "points": None if frame.points is None else [list(p) for p in frame.points],
        "world": None if frame.world is None else [list(p) for p in frame.world],
        "aspect": frame.aspect,
    }


def lunges(n: int = 3, side: str = "right", pushes=None):
    ex = catalog().exercises["forward_lunge"]
    return movement(ex, [2.5] * n, fps=30, side=side, pushes=pushes)


def coach(client, session_id, frames, exercise_id="forward_lunge", side="right", **extra):
    body = {"exercise_id": exercise_id, "side": side, "frames": frames, **extra}
    return send(client, "post", f"/api/sessions/{session_id}/coach", body)


def in_batches(client, session_id, frames, size=8, **kw) -> list[dict]:
    answers = []
    for i in range(0, len(frames), size):
        r = coach(client, session_id, [frame_json(f) for f in frames[i : i + size]], **kw)
        assert r.status_code == 200, r.content
        answers.append(r.json())
    return answers


def test_batches_count_as_the_core_counts_the_whole_clip(client, session_id):
    clip = lunges(3)
    answers = in_batches(client, session_id, clip.frames)
    whole = Coach(catalog().exercises["forward_lunge"], "right")
    assert answers[-1]["reps"] == whole.feed(clip.frames).reps == 3
    counts = [a["reps"] for a in answers]
    assert counts == sorted(counts) and counts[0] == 0  # counted as it went, one by one
    assert set(answers[-1]) == {
        "reps",
        "in_rep",
        "holding",
        "hold_s",
        "holds",
        "held_s",
        "view",
        "cue",
    }
    run = CoachRun.objects.get(session_id=session_id, exercise_id="forward_lunge")
    assert (run.side, run.reps, run.t0, run.result) == ("right", 3, T0, None)


def test_a_fault_is_the_exercises_own_words(client, session_id):
    ex = catalog().exercises["forward_lunge"]
    rule = ex.coach.faults[0]
    clip = lunges(2, pushes={1: push_for(rule, 40)})  # the limit is 25 past the pose
    cues = [a["cue"] for a in in_batches(client, session_id, clip.frames, size=4)]
    faults = [c for c in cues if c and c["kind"] == "fault"]
    assert faults and faults[0] == {
        "kind": "fault",
        "id": rule.id,
        "message": ex.common_faults[rule.common_fault],
    }


def test_a_hold_and_what_the_camera_cannot_see(client, session_id):
    ex = catalog().exercises["kneeling_hip_flexor_stretch"]
    clip = movement(ex, [8.0], fps=20, side="left")
    answers = in_batches(client, session_id, clip.frames, exercise_id=ex.id, side="left")
    assert max(a["hold_s"] for a in answers) > 5 and any(a["holding"] for a in answers)
    assert answers[-1]["held_s"] >= max(a["hold_s"] for a in answers)
    hidden = [dict(frame_json(f, T0 + 60), points=[[0.5, 0.5, 0, 0.1]] * 33) for f in clip.frames]
    r = coach(client, session_id, hidden[:30], exercise_id=ex.id, side="left")
    assert r.status_code == 200
    assert r.json()["cue"]["kind"] == "cannot_see"
    assert r.json()["cue"]["message"].startswith("I can't see your")


def test_saving_the_exercise_saves_what_the_coach_counted(client, session_id):
    clip = lunges(2)
    in_batches(client, session_id, clip.frames)
    in_batches(client, session_id, lunges(1, side="left").frames, side="left")
    sets = [{"side": "right", "set_number": 1, "planned_reps": 10, "status": "done"}]
    body = {"exercise_id": "forward_lunge", "sets": sets}
    r = send(client, "post", f"/api/sessions/{session_id}/exercises", body)
    assert r.status_code == 200, r.content
    runs = {r.side: r for r in CoachRun.objects.filter(session_id=session_id)}
    whole = Coach(catalog().exercises["forward_lunge"], "right")
    whole.feed(clip.frames)
    whole.finish()
    assert runs["right"].result == result(whole)
    assert (runs["right"].reps, runs["left"].reps, runs["right"].state) == (2, 1, "")
    history = send(client, "get", "/api/history").json()
    none = {"holds": 0, "hold_s": 0.0, "saved": True}
    assert history[0]["coach"] == [
        {"exercise_id": "forward_lunge", "side": "right", "reps": 2, **none},
        {"exercise_id": "forward_lunge", "side": "left", "reps": 1, **none},
    ]
    assert history[0]["sets"][0]["planned_reps"] == 10  # beside what the plan asked
    assert _camera_words(history[0]["coach"]) == (
        "; the camera counted forward_lunge (right) 2 reps, forward_lunge (left) 1 rep"
    )  # psoas history's note
    late = coach(client, session_id, [frame_json(clip.frames[-1], T0 + 100)])
    assert late.status_code == 409 and "already saved" in late.json()["detail"]


def test_the_state_is_in_the_store_not_in_the_server(client, session_id):
    """Each batch could reach another app server: a new client (a new connection, no
    memory of the last answer) goes on where the last batch left off."""
    clip = lunges(2)
    half = len(clip.frames) // 2
    in_batches(client, session_id, clip.frames[:half])
    last = in_batches(Client(raise_request_exception=True), session_id, clip.frames[half:])
    assert last[-1]["reps"] == 2


def loc(response) -> list:
    assert response.status_code == 422, response.content
    return [e["loc"] for e in response.json()["detail"]]


GOOD = {"t": T0, "points": [[0.5, 0.5, 0.0, 0.9]] * 33, "aspect": 0.75}


@pytest.mark.parametrize(
    ("frames", "where", "words"),
    [
        ([], ["frames"], "at least 1"),
        ([GOOD] * 121, ["frames"], "at most 120"),
        (["x"], ["frames", 0], "must be an object"),
        ([{**GOOD, "t": "1"}], ["frames", 0, "t"], "finite number"),
        ([{**GOOD, "colour": 1}], ["frames", 0], "unknown field"),
        ([{**GOOD, "points": [[0.5, 0.5, 0]] * 33}], ["frames", 0, "points"], "4 numbers"),
        ([{**GOOD, "points": [[0.5, 0.5, 0, 1]] * 32}], ["frames", 0, "points"], "33 landmarks"),
        ([{**GOOD, "points": [[0.5, 0.5, 0, 2]] * 33}], ["frames", 0, "points"], "visibility"),
        ([{**GOOD, "points": [[0.5, True, 0, 1]] * 33}], ["frames", 0, "points"], "finite"),
        ([{**GOOD, "world": [[0, 0]] * 33}], ["frames", 0, "world"], "3 numbers"),
        ([{**GOOD, "aspect": 0}], ["frames", 0, "aspect"], "outside"),
        ([GOOD, {**GOOD, "t": T0 - 1}], ["frames", 1, "t"], "time order"),
    ],
)
def test_a_bad_frame_is_a_422_naming_it(client, session_id, frames, where, words):
    r = coach(client, session_id, frames)
    assert loc(r) == [["body", "payload", *where]]
    assert words in r.json()["detail"][0]["msg"]
    assert not CoachRun.objects.exists()  # nothing of a bad batch is kept


def test_numbers_whose_sum_overflows_are_still_numbers(client, session_id):
    """Frames are read fast by adding each row up; a sum past the largest float is checked
    number by number, not refused."""
    r = coach(client, session_id, [{**GOOD, "world": [[1e308, 1e308, 0]] * 33}])
    assert r.status_code == 200, r.content


def test_a_batch_before_the_last_is_refused(client, session_id):
    assert coach(client, session_id, [{**GOOD, "t": T0 + 5}]).status_code == 200
    r = coach(client, session_id, [{**GOOD, "t": T0 + 4}])
    assert loc(r) == [["body", "payload", "frames", 0, "t"]]


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        ({"exercise_id": "shoulder_press"}, ["exercise_id"], "Input should be"),
        ({"exercise_id": "clamshell"}, ["exercise_id"], "not in session"),
        ({"exercise_id": "side_lying_hip_flexor_stretch"}, ["exercise_id"], "cannot coach"),
        ({"side": "both"}, ["side"], "'left' or 'right'"),
        ({"video": "..."}, ["video"], "Extra inputs"),
    ],
)
def test_a_bad_field_is_a_422_naming_it(client, session_id, body, where, words):
    full = {"exercise_id": "forward_lunge", "side": "right", "frames": [GOOD], **body}
    r = send(client, "post", f"/api/sessions/{session_id}/coach", full)
    assert loc(r) == [["body", "payload", *where]]
    assert words in r.json()["detail"][0]["msg"]


def test_only_json_from_the_apps_own_pages(client, session_id):
    url = f"/api/sessions/{session_id}/coach"
    body = {"exercise_id": "forward_lunge", "side": "right", "frames": [GOOD]}
    r = client.post(url, body)  # a form post
    assert r.status_code == 415
    r = client.post(
        url, body, content_type="application/json", headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 403
    r = client.post(
        url, body, content_type="application/json", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert r.status_code == 403
    assert not CoachRun.objects.exists()


def test_another_persons_session_is_a_404_and_a_finished_one_a_409(client, session_id):
    local_person()
    other = Person.objects.create(name="someone else")
    plan = save_plan(
        other, save_profile(other, COACHED_PROFILE), _plan(), TODAY - timedelta(days=2)
    )
    theirs = start_session(other, plan, TODAY, 1, 0)
    r = coach(client, theirs.id, [GOOD])
    assert r.status_code == 404 and r.json()["detail"].startswith("session_id:")
    finish = {"status": "quit"}
    assert send(client, "post", f"/api/sessions/{session_id}/finish", finish).status_code == 200
    r = coach(client, session_id, [GOOD])
    assert r.status_code == 409
    assert not CoachRun.objects.exists()


def _plan():
    from psoas.core.planning.planner import build_plan
    from psoas.core.profile import parse_profile

    return build_plan(parse_profile(COACHED_PROFILE))


def test_a_get_is_refused_and_writes_nothing(client, session_id):
    in_batches(client, session_id, lunges(1).frames)
    before = list(CoachRun.objects.values())
    sessions = list(SessionLog.objects.values())
    r = client.get(f"/api/sessions/{session_id}/coach")
    assert r.status_code == 405
    assert list(CoachRun.objects.values()) == before
    assert list(SessionLog.objects.values()) == sessions


def test_only_the_player_page_may_compile_webassembly(client, session_id):
    """MediaPipe's pose model is WebAssembly: the player's policy adds 'wasm-unsafe-eval'
    to script-src and nothing else; every other page keeps the plain policy."""
    player = client.get(f"/session/{session_id}/")
    assert player.status_code == 200
    assert b'id="p-coach"' in player.content and b"tracking/coach.js" in player.content
    today = client.get("/today/")
    plain = today["Content-Security-Policy"]
    assert "wasm" not in plain and "'unsafe-eval'" not in plain
    assert player["Content-Security-Policy"] == plain.replace(
        "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"
    )
