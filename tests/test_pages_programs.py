"""The plan overview, exercise pages and education pages through Django's test client and
the real URLconf, on a real database: no plan, a referral, an ok plan with its swaps and
exclusions; every exercise and topic in the catalog; unknown ids; evidence badges."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.programs import pages
from psoas.web.programs.services import local_person, save_plan, save_profile

pytestmark = [pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = date.today()


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)  # a server error fails the test loudly


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def planned(profile: dict, start: date = TODAY) -> dict:
    person = local_person()
    version = save_profile(person, profile)
    plan = build_plan(parse_profile(profile))
    save_plan(person, version, plan, start)
    return plan


def text(response) -> str:
    """The page's words, tags stripped and entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


# --- plan ------------------------------------------------------------------------------


def test_plan_without_a_plan_invites_to_start(client):
    r = client.get("/plan/")
    assert r.status_code == 200
    assert "You do not have a plan yet" in text(r)
    assert 'href="/start/"' in r.content.decode()


def test_plan_that_refers_shows_the_referral_and_a_way_to_change_answers(client):
    plan = planned(example("red_flag"))
    r = client.get("/plan/")
    assert r.status_code == 200
    page = text(r)
    assert plan["referral"]["title"] in page
    assert plan["referral"]["reasons"][0]["question"] in page
    assert "No exercise plan was made" in page
    assert "Change my answers" in page and 'href="/start/"' in r.content.decode()
    assert "Week 1" not in page


def test_ok_plan_shows_weeks_doses_whys_swaps_and_exclusions(client):
    plan = planned(example("desk_worker"))
    r = client.get("/plan/")
    assert r.status_code == 200
    page = text(r)
    assert "Your hip flexors look tight" in page
    for why in plan["classification_why"]:
        assert why in page
    assert "7 days a week" in page and plan["frequency"]["why"] in page
    for n in range(1, 7):
        assert f"Week {n} " in page
    # doses in words, for a stretch and for a strength exercise at its tempo
    assert "2 sets of 30 seconds, each side, rest 10 s" in page
    assert "1 set of 10 reps, 3 seconds a rep, 2 s pause at the top, rest 45 s" in page
    # the why of each exercise, what was swapped and what was left out, with the reasons
    first = plan["weeks"][0]["sessions"][0]["exercises"]
    for e in first:
        assert e["why"] in page
    assert plan["excluded"] and plan["substitutions"]
    for e in plan["excluded"]:
        assert e["reason"] in page
    for s in plan["substitutions"]:
        assert s["reason"] in page
    assert "Side-lying hip flexor stretch takes the place of table edge hip flexor stretch" in page
    # the progression: holds grow in week 2, a harder version comes in week 5
    assert "holds of 35 s (was 30 s)" in page
    assert "Glute bridge moves on to marching bridge, a harder version." in page
    # the dated schedule, today's session highlighted with a way to start it
    assert pages.short_date(TODAY) in page
    assert "Today: Strength and stretch" in page
    assert 'href="/today/"' in r.content.decode()
    assert "session--today" in r.content.decode()


def test_plan_on_a_rest_day_names_the_next_session(client):
    # five days a week fall on days 0, 1, 2, 4 and 5 of each week: day 3 is a rest day
    profile = {**example("desk_worker"), "sitting_hours_per_day": 2}
    plan = planned(profile, start=TODAY - timedelta(days=3))
    assert plan["frequency"]["days_per_week"] < 7
    page = text(client.get("/plan/"))
    assert "No session today" in page
    assert "Start today's session" not in page
    assert "This week" in page


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (10, "Your clinician will look at your program again on "),
        (0, "Your clinician planned to look at your program again on "),
        (-3, "Keep going with it until they do."),
    ],
)
def test_plan_shows_the_review_date_a_clinician_set(client, days, words):
    from django.core.cache import cache

    from psoas.web.programs.models import Plan

    planned(example("desk_worker"))
    saved = Plan.objects.get(active=True)
    assert "look at your program again" not in text(client.get("/plan/"))  # none set
    review = TODAY + timedelta(days=days)
    saved.data = {**saved.data, "review_date": review.isoformat()}
    saved.save()
    cache.clear()  # a clinician's edit is a new version, which changes the data revision
    page = text(client.get("/plan/"))
    assert words in page and f"{review:%A} {review.day} {review:%B %Y}" in page
    assert "send them a message" not in page  # local mode has no messages


def test_pregnancy_plan_shows_swaps_with_reasons_and_the_caution(client):
    plan = planned(example("pregnant_24_weeks"))
    page = text(client.get("/plan/"))
    assert plan["substitutions"]
    for s in plan["substitutions"]:
        assert s["reason"] in page
    assert plan["cautions"][0]["message"] in page
    assert "Your hip flexors look weak" in page


def test_hip_replacement_plan_shows_what_was_left_out_and_swapped(client):
    profile = {
        "schema": "psoas.profile/1",
        "age": 66,
        "conditions": ["hip_replacement_posterior"],
        "limits": ["no_kneeling"],
        "equipment": ["chair"],
    }
    plan = planned(profile)
    page = text(client.get("/plan/"))
    assert plan["substitutions"]
    for s in plan["substitutions"]:
        assert s["reason"] in page
    for e in plan["excluded"]:
        assert e["reason"] in page
    assert "Follow your surgeon's rules first" in page


def test_finished_plan_offers_a_new_one(client):
    planned(example("desk_worker"), start=TODAY - timedelta(days=60))
    page = text(client.get("/plan/"))
    assert "You have done all 6 weeks" in page


def test_plan_page_only_answers_get(client):
    assert client.post("/plan/").status_code == 405


# --- exercises -------------------------------------------------------------------------


def test_exercise_list_groups_every_exercise_by_kind(client, cat):
    r = client.get("/exercises/")
    assert r.status_code == 200
    body = r.content.decode()
    for kind in ("stretch", "strength", "release"):
        assert f'id="{kind}"' in body
    for ex in cat.exercises.values():
        assert f'href="/exercises/{ex.id}/"' in body
    assert body.count("<svg") == len(cat.exercises)
    # grouped: every stretch appears after the Stretches heading and before Strength
    stretches = body[body.index('id="stretch"') : body.index('id="strength"')]
    for ex in cat.exercises.values():
        assert (f"/exercises/{ex.id}/" in stretches) == (ex.kind == "stretch")
    assert "In your plan" not in body


def test_exercise_list_marks_the_ones_in_the_plan(client, cat):
    plan = planned(example("desk_worker"))
    mine = {e["id"] for w in plan["weeks"] for s in w["sessions"] for e in s["exercises"]}
    body = client.get("/exercises/").content.decode()
    assert body.count("In your plan") == len(mine)
    for ex_id in mine:
        card = body[body.index(f'href="/exercises/{ex_id}/"') :]
        assert "In your plan" in card[: card.index("</li>")]


def test_every_exercise_page_renders_its_content(client, cat):
    for ex in cat.exercises.values():
        r = client.get(f"/exercises/{ex.id}/")
        assert r.status_code == 200, ex.id
        page, body = text(r), r.content.decode()
        assert ex.name in page and ex.summary in page
        for item in (*ex.steps, *ex.cues, *ex.common_faults, *ex.stop_signs, *ex.precautions):
            assert item in page, (ex.id, item)
        assert ex.breathing in page
        assert "<animate" in body and "<title>" + html.escape(ex.name) in body
        for s in ex.sources:
            assert s.fact in page and s.title in page
        for other in (*ex.regressions, *ex.progressions):
            assert f'href="/exercises/{other}/"' in body
        assert "Your dose" not in page  # no plan yet


def test_exercise_page_names_who_should_not_do_it(client, cat):
    page = text(client.get("/exercises/kneeling_hip_flexor_stretch/"))
    assert "Who should not do it" in page
    assert cat.conditions["hip_replacement_anterior"].name in page
    assert "No kneeling" in page
    page = text(client.get("/exercises/glute_bridge/"))
    assert "Pregnancy." in page and "From week 13 of pregnancy" in page


def test_exercise_page_shows_the_range_and_the_persons_dose(client):
    page = text(client.get("/exercises/glute_bridge/"))
    assert "1 to 3 sets" in page and "10 to 15 reps a set, 3 seconds a rep" in page
    planned(example("desk_worker"))
    page = text(client.get("/exercises/glute_bridge/"))
    assert "Your dose" in page
    assert "1 set of 10 reps, 3 seconds a rep, 2 s pause at the top, rest 45 s" in page
    assert "This week" in page
    later = text(client.get("/exercises/marching_bridge/"))
    assert "Your dose" in later and "Week 5 of your plan" in later
    assert "Your dose" not in text(client.get("/exercises/clamshell/"))


def test_exercise_page_shows_no_dose_for_a_referral(client):
    planned(example("red_flag"))
    assert "Your dose" not in text(client.get("/exercises/glute_bridge/"))


@pytest.mark.parametrize("bad", ["no_such_exercise", "GLUTE_BRIDGE", "glute-bridge", "x" * 300])
def test_unknown_exercise_is_a_404_page(client, bad):
    r = client.get(f"/exercises/{bad}/")
    assert r.status_code == 404
    assert "We could not find that page" in text(r)


# --- learn -----------------------------------------------------------------------------


def test_learn_lists_every_topic_with_its_summary(client, cat):
    r = client.get("/learn/")
    assert r.status_code == 200
    page, body = text(r), r.content.decode()
    for t in cat.topics.values():
        assert f'href="/learn/{t.id}/"' in body
        assert t.title in page and " ".join(t.summary.split()) in page


def test_every_topic_renders_sections_claims_and_sources(client, cat):
    for t in cat.topics.values():
        r = client.get(f"/learn/{t.id}/")
        assert r.status_code == 200, t.id
        page = text(r)
        assert t.title in page
        for s in t.sections:
            assert s.heading in page and " ".join(s.body.split()) in page
        for c in t.claims:
            for part in (c.claim, c.verdict, c.explanation):
                assert " ".join(part.split()) in page, (t.id, c.id)
        for s in t.sources:
            assert s.title in page


def test_each_claim_has_the_badge_of_its_grade_in_words(client, cat):
    claims = [c for t in cat.topics.values() for c in t.claims]
    assert {c.grade for c in claims} == {"supported", "mixed", "unsupported"}
    for t in cat.topics.values():
        body = client.get(f"/learn/{t.id}/").content.decode()
        for c in t.claims:
            start = body.index(f'id="{c.id}"')
            card = body[start : body.index("</li>", body.index("</details>", start))]
            badges = re.findall(r'class="badge badge--(\w+)"', card)
            assert badges == [c.grade], c.id
            assert pages.GRADE_LABELS[c.grade] in text_of(card), c.id
            assert f"claim--{c.grade}" in body[body.rindex("<li", 0, start) : start + 60]
    unsupported = sum(c.grade == "unsupported" for c in claims)
    body = client.get("/learn/claims/").content.decode()
    assert body.count("Not supported</span>") == unsupported


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


@pytest.mark.parametrize("bad", ["no_such_topic", "Claims", "../plan"])
def test_unknown_topic_is_a_404_page(client, bad):
    r = client.get(f"/learn/{bad}/")
    assert r.status_code == 404


def test_pages_have_one_h1_and_the_plan_section_in_the_nav(client):
    planned(example("desk_worker"))
    for url, section in (
        ("/plan/", "/plan/"),
        ("/exercises/", "/plan/"),
        ("/exercises/glute_bridge/", "/plan/"),
        ("/learn/", "/learn/"),
        ("/learn/claims/", "/learn/"),
    ):
        body = client.get(url).content.decode()
        assert body.count("<h1") == 1, url
        assert f'href="{section}" aria-current="page"' in body, url


# --- the helpers' words ----------------------------------------------------------------


def test_dose_words():
    stretch = {"sets": 3, "hold_s": 30, "reps": None, "side": "each", "rest_s": 20}
    assert pages.dose_words(stretch) == "3 sets of 30 seconds, each side, rest 20 s"
    strength = {"sets": 1, "reps": 8, "tempo_s": 3.0, "hold_s": None, "side": "both", "rest_s": 0}
    assert pages.dose_words(strength) == "1 set of 8 reps, 3 seconds a rep"
