"""The end of a block through the JSON API (Django's test client, the real URLconf, a real
store): GET /api/block during and after a block, the re-test, the choice of the next block,
and every refusal (409 out of turn, 422 naming the field, nothing saved), each answer's
status documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.programs.blocks import latest_review
from psoas.web.programs.models import BlockReview
from psoas.web.programs.services import active_plan, local_person, save_plan, save_profile
from tests.block_seed import PROFILE, first_block

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]

TODAY = date.today()
RETEST = {
    "pain": 2,
    "thomas_test": {"left": "negative", "right": "positive"},
    "hip_flexor_hold_s": {"left": 22, "right": 20.5},
    "activities": [
        {"name": "sitting through a meeting", "score": 7},
        {"name": "running for the bus", "score": 6},
        {"name": "tying shoes", "score": 8},
    ],
}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def send(client: Client, url: str, body):
    return client.post(url, body, content_type="application/json")


def documented(client: Client, method: str, path: str, response) -> None:
    schema = client.get("/api/openapi.json").json()
    assert str(response.status_code) in schema["paths"][path][method]["responses"]


def detail(response, status: int) -> str:
    assert response.status_code == status, response.content
    return response.json()["detail"]


def fields(response) -> list[list]:
    assert response.status_code == 422, response.content
    return [e["loc"] for e in response.json()["detail"]]


def stored() -> tuple[int, int, int, int]:
    return (
        BlockReview.objects.count(),
        PainCheckin.objects.count(),
        QuestionnaireResponse.objects.count(),
        local_person().plans.count(),
    )


def test_during_a_block(client):
    plan = first_block(days_ago=10)
    r = client.get("/api/block")
    assert r.status_code == 200, r.content
    got = r.json()
    last = plan.scheduled.order_by("-date").first().date
    assert (got["number"], got["kind"], got["week"], got["weeks"]) == (1, "first", 2, 6)
    assert got["review_due"] is False and got["retest_from"] == last.isoformat()
    assert got["activities"] == ["sitting through a meeting", "running for the bus", "tying shoes"]
    assert got["review"] is None and [b["number"] for b in got["history"]] == [1]
    before = stored()
    r = send(client, "/api/block/review", RETEST)
    assert detail(r, 409).startswith("review: the re-test opens on")
    documented(client, "post", "/api/block/review", r)
    r = send(client, "/api/block/choice", {"choice": "progress"})
    assert detail(r, 409).startswith("review: do the re-test first")
    assert stored() == before


def test_no_plan_is_a_404_and_a_stopped_program_a_409(client):
    r = client.get("/api/block")
    assert detail(r, 404).startswith("plan:")
    person = local_person()
    referring = {**PROFILE, "red_flags": ["saddle_numbness"]}
    from psoas.core.planning.planner import build_plan
    from psoas.core.profile import parse_profile

    save_plan(person, save_profile(person, referring), build_plan(parse_profile(referring)), TODAY)
    r = client.get("/api/block")
    assert detail(r, 409).startswith("plan: your program is stopped")
    documented(client, "get", "/api/block", r)


def test_the_retest_then_progress(client):
    first_block()
    assert client.get("/api/block").json()["review_due"] is True
    r = send(client, "/api/block/review", RETEST)
    assert r.status_code == 200, r.content
    review = r.json()
    rows = {x["id"]: x for x in review["rows"]}
    pain = rows["nprs"]
    assert (pain["before"], pain["after"], pain["verdict"]) == (5, 2, "better")
    assert rows["psfs"]["before"] == 3 and rows["psfs"]["after"] == 7
    assert rows["hold_right"]["after"] == 20.5
    assert {o["choice"] for o in review["options"]} == {"progress", "maintain", "see_clinician"}
    assert review["choice"] is None and review["keep"]
    assert PainCheckin.objects.filter(date=TODAY, nprs=2).exists()
    assert QuestionnaireResponse.objects.filter(date=TODAY, score=7).exists()
    # once saved, a second re-test is refused
    again = send(client, "/api/block/review", RETEST)
    assert detail(again, 409).startswith("review: already saved on")
    got = client.get("/api/block").json()
    assert got["review"]["summary"] == review["summary"]
    start = TODAY + timedelta(days=1)
    r = send(client, "/api/block/choice", {"choice": "progress", "start": start.isoformat()})
    assert r.status_code == 200, r.content
    chosen = r.json()
    assert chosen["block"] == {"number": 2, "kind": "progress"}
    assert chosen["start_date"] == start.isoformat()
    assert chosen["plan_id"] == active_plan(local_person()).id
    got = client.get("/api/block").json()
    assert (got["number"], got["kind"], got["review_due"]) == (2, "progress", False)
    assert got["plan_start"] == start.isoformat() and got["week"] == 1
    assert [b["number"] for b in got["history"]] == [1, 2]
    assert got["history"][0]["review"]["choice"] == "progress"
    assert got["history"][0]["review"]["next_start"] == start.isoformat()
    r = send(client, "/api/block/choice", {"choice": "maintain"})  # nothing left to choose
    assert detail(r, 409).startswith("review:")


def test_see_a_clinician_then_maintain(client):
    first_block()
    review = send(client, "/api/block/review", {**RETEST, "pain": 5}).json()
    r = send(client, "/api/block/choice", {"choice": "see_clinician"})
    assert r.status_code == 200, r.content
    assert r.json() == {
        "choice": "see_clinician",
        "plan_id": None,
        "block": None,
        "start_date": None,
    }
    got = client.get("/api/block").json()
    assert got["review_due"] is True and got["review"]["choice"] == "see_clinician"
    keep = review["keep"][:1]
    r = send(client, "/api/block/choice", {"choice": "maintain", "keep": keep})
    assert r.status_code == 200 and r.json()["block"] == {"number": 2, "kind": "maintain"}
    plan = active_plan(local_person())
    slots = {e["slot"] for w in plan.data["weeks"] for s in w["sessions"] for e in s["exercises"]}
    assert slots == set(keep) and plan.start_date == TODAY


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({k: v for k, v in RETEST.items() if k != "pain"}, "pain"),
        ({**RETEST, "pain": 11}, "pain"),
        ({**RETEST, "pain": "3"}, "pain"),
        ({**RETEST, "thomas_test": {"left": "tight"}}, "thomas_test"),
        ({**RETEST, "hip_flexor_hold_s": {"left": 301}}, "hip_flexor_hold_s"),
        ({**RETEST, "hip_flexor_hold_s": {"left": True}}, "hip_flexor_hold_s"),
        ({**RETEST, "activities": RETEST["activities"][:2]}, "activities"),
        ({**RETEST, "activities": [{"name": "", "score": 3}] * 3}, "activities"),
        ({**RETEST, "walking": 3}, "walking"),
    ],
)
def test_bad_retest_input_is_a_422_naming_the_field(client, body, loc):
    first_block()
    before = stored()
    r = send(client, "/api/block/review", body)
    assert any(f[:3] == ["body", "payload", loc] for f in fields(r)), r.json()
    assert stored() == before
    documented(client, "post", "/api/block/review", r)


def test_a_test_the_rules_rule_out_is_refused(client):
    first_block({**PROFILE, "limits": ["no_supine"]})
    assert client.get("/api/block").json()["skip_self_tests"] == ["modified_thomas_test"]
    before = stored()
    r = send(client, "/api/block/review", RETEST)
    assert ["body", "payload", "thomas_test"] in fields(r)
    assert "not safe for you now" in r.json()["detail"][0]["msg"]
    assert stored() == before
    body = {k: v for k, v in RETEST.items() if k != "thomas_test"}
    assert send(client, "/api/block/review", body).status_code == 200


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, "choice"),
        ({"choice": "sideways"}, "choice"),
        ({"choice": "progress", "start": (TODAY - timedelta(days=1)).isoformat()}, "start"),
        ({"choice": "progress", "start": "9999-12-31"}, "start"),
        ({"choice": "progress", "start": 0}, "start"),
        ({"choice": "maintain", "keep": ["not_an_exercise"]}, "keep"),
        ({"choice": "maintain", "keep": ["lizard_pose"]}, "keep"),  # not done in the block
        ({"choice": "maintain", "keep": []}, "keep"),
    ],
)
def test_bad_choices_are_a_422_naming_the_field(client, body, loc):
    first_block()
    send(client, "/api/block/review", RETEST)
    plan = active_plan(local_person())
    r = send(client, "/api/block/choice", body)
    assert any(f[:3] == ["body", "payload", loc] for f in fields(r)), r.json()
    assert active_plan(local_person()).id == plan.id and latest_review(plan).choice == ""
    documented(client, "post", "/api/block/choice", r)


def test_a_choice_not_open_now_is_refused(client):
    first_block()
    review = send(client, "/api/block/review", {**RETEST, "pain": 8}).json()
    assert not next(o for o in review["options"] if o["choice"] == "progress")["available"]
    r = send(client, "/api/block/choice", {"choice": "progress"})
    assert ["body", "payload", "choice"] in fields(r)
    assert "not open now" in r.json()["detail"][0]["msg"]
