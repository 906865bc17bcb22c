"""The end of a block in the browser's pages (`/block/`, Today, Plan, Progress), through
Django's test client on a real store: a plan whose six weeks have passed, its re-test (the
self-tests the rules allow, pain, the activity check with last time's activities), the
comparison with the start, the choice with nothing chosen in advance, bad answers named
with nothing saved or lost, and the next block on Today, the plan and the progress page."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.test import Client

from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.programs.blocks import block_of, latest_review
from psoas.web.programs.models import BlockReview
from psoas.web.programs.services import active_plan, local_person
from tests.block_seed import PROFILE, first_block

pytestmark = [pytest.mark.django_db(transaction=True)]

TODAY = date.today()
RETEST = {  # better on every count
    "form": "retest",
    "thomas_left": "negative",
    "thomas_right": "positive",
    "hold_left": "22",
    "hold_right": "20",
    "pain": "2",
    "activity_1_name": "sitting through a meeting",
    "activity_1": "7",
    "activity_2_name": "running for the bus",
    "activity_2": "6",
    "activity_3_name": "tying shoes",
    "activity_3": "8",
}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def words(response) -> str:
    """What a person reads: the page without tags."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def values(table: str, label: str) -> list[str]:
    """The start, now and change cells of one measure in the before-and-after table."""
    head = f'<th scope="rowgroup" colspan="3">{re.escape(label)}</th>'
    group = re.search(rf"{head}.*?</tbody>", table)
    row = re.search(r'<tr class="block-table__values">(.*?)</tr>', group.group(0)).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


def counts() -> tuple[int, int, int, int]:
    person = local_person()
    return (
        BlockReview.objects.count(),
        PainCheckin.objects.count(),
        QuestionnaireResponse.objects.count(),
        person.plans.count(),
    )


def reviewed(client, **over):
    first_block()
    r = client.post("/block/", {**RETEST, **over})
    assert r.status_code == 302 and r["Location"] == "/block/", r.content
    return latest_review(active_plan(local_person()))


# --- before the end --------------------------------------------------------------------


def test_during_a_block_the_page_says_when_the_retest_comes(client):
    plan = first_block(days_ago=10)
    r = client.get("/block/")
    assert r.status_code == 200 and r.context["state"] == "running"
    last = plan.scheduled.order_by("-date").first().date
    assert "Block 1, week 2 of 6" in words(r) and last.strftime("%B") in words(r)
    assert 'name="form"' not in text(r)
    # a re-test sent now (an old tab) is refused and saves nothing
    before = counts()
    r = client.post("/block/", RETEST)
    assert r.status_code == 409 and counts() == before


def test_without_a_plan_the_page_points_to_the_start(client):
    r = client.get("/block/")
    assert r.status_code == 200 and 'href="/start/"' in text(r)
    assert client.post("/block/", RETEST).status_code == 409


# --- the re-test -----------------------------------------------------------------------


def test_the_retest_asks_both_tests_pain_and_last_times_activities(client):
    first_block()
    before = counts()
    r = client.get("/block/")
    assert r.status_code == 200 and r.context["state"] == "retest"
    assert "<h1>Block 1: your re-test</h1>" in text(r)
    page = text(r)
    for field in ("thomas_left", "thomas_right", "hold_left", "hold_right", "pain"):
        assert f'name="{field}"' in page, field
    assert "Modified Thomas test" in page and "Seated knee-lift hold test" in page
    assert "How to do this test" in page and "I did not do this side" in page
    for side in ("left", "right"):
        assert f'<label for="id_hold_{side}">Hold test, {side} side, seconds</label>' in page
    for n, name in enumerate(("sitting through a meeting", "running for the bus", "tying shoes")):
        assert f'type="hidden" name="activity_{n + 1}_name" value="{name}"' in page
    # nothing answered for the person ("I did not do this side" until a result is picked)
    assert re.findall(r'<input[^>]* value="([^"]*)"[^>]* checked', page) == ["", ""]
    assert counts() == before  # a read


def test_the_retest_leaves_out_a_test_the_rules_rule_out(client):
    first_block({**PROFILE, "limits": ["no_supine"]})
    r = client.get("/block/")
    assert 'name="thomas_left"' not in text(r) and 'name="hold_left"' in text(r)
    assert "We skip this test for you" in words(r)
    client.post("/block/", RETEST)  # a Thomas result sent anyway is not used
    saved = latest_review(active_plan(local_person()))
    assert saved.after["thomas"] == {"left": None, "right": None}
    assert saved.after["hold_s"] == {"left": 22.0, "right": 20.0}


def test_bad_retest_answers_are_named_and_nothing_is_saved_or_lost(client):
    first_block()
    before = counts()
    bad = {**RETEST, "pain": "", "hold_left": "999", "activity_2": ""}
    r = client.post("/block/", bad)
    assert r.status_code == 400 and "Please fix" in words(r)
    page = words(r)
    assert "Pain right now: pick a number from 0 to 10." in page
    assert "Hold test, left side, seconds: give a number from 0 to 300" in page
    assert "Activity 2: pick a number from 0 to 10." in page
    links = re.findall(r'<li><a href="#([^"]+)">', r.content.decode())
    assert links == ["id_hold_left", "pain_0", "id_activity_2"]
    assert counts() == before
    kept = text(r)  # what was typed comes back
    assert 'value="999"' in kept and 'value="negative" id="id_thomas_left_0" checked' in kept
    assert '<option value="7" selected>' in kept


def test_a_saved_retest_shows_start_and_now_and_the_choice(client):
    saved = reviewed(client)
    assert PainCheckin.objects.filter(date=TODAY, nprs=2).exists()  # kept as outcomes
    r = client.get("/block/")
    assert r.status_code == 200 and r.context["state"] == "review"
    page = text(r)
    assert "<h1>Block 1: how far you came</h1>" in page and "start of block 1 (" in page
    table = re.search(r'<table class="block-table">.*?</table>', page).group(0)
    assert '<th scope="col">Start</th><th scope="col">Now</th>' in table
    assert values(table, "Pain (0 to 10, lower is better)") == ["5", "2", "Better"]
    assert values(table, "Thomas test, right side") == ["Positive", "Positive", "No real change"]
    assert "A change of 2 points or more" in table  # the minimal change, in words
    assert saved.review["summary"] in page
    # the three options, none chosen; the suggested one said in words
    radios = re.findall(r'<input type="radio" name="choice"[^>]*>', page)
    assert len(radios) == 3 and not any("checked" in x for x in radios)
    assert re.search(r"<strong>Progress</strong> <span class=\"tag\">We suggest this", page)
    assert f'name="start" value="{TODAY.isoformat()}"' in page
    kept = re.findall(r'name="keep" value="([^"]+)"[^>]*?( checked)?>', page)
    assert {v for v, c in kept if c} == set(saved.review["keep"])
    # Today now says the re-test is saved and leads to the choice
    today = client.get("/today/")
    assert "Choose your next block" in words(today) and 'href="/block/"' in text(today)


def test_an_option_that_is_not_open_is_shown_disabled_with_its_why(client):
    saved = reviewed(client, pain="8")
    options = {o["choice"]: o for o in saved.review["options"]}
    assert not options["progress"]["available"]
    page = text(client.get("/block/"))
    radio = re.search(r'<input type="radio" name="choice" value="progress"[^>]*>', page).group(0)
    assert " disabled" in radio
    assert "(not open now)" in page and options["progress"]["why"] in page
    before = counts()
    r = client.post("/block/", {"form": "choice", "choice": "progress"})  # sent anyway
    assert r.status_code == 400 and "Your next block: “Progress” is not open now." in words(r)
    assert counts() == before


@pytest.mark.parametrize(
    ("form", "message", "anchor"),
    [
        ({}, "Your next block: please choose one.", "group_choice"),
        ({"choice": "sideways"}, "Your next block: please choose one of the", "group_choice"),
        ({"choice": "progress", "start": "yesterday"}, "Start date: give a date like", "id_start"),
        ({"choice": "progress", "start": "2001-01-01"}, "Start date: pick a day from", "id_start"),
        ({"choice": "maintain"}, "Exercises to keep: tick at least one.", "group_keep"),
        ({"choice": "maintain", "keep": "lizard_pose"}, "Exercises to keep: choose", "group_keep"),
    ],
)
def test_bad_choices_are_named_and_nothing_changes(client, form, message, anchor):
    reviewed(client)
    before = counts()
    r = client.post("/block/", {"form": "choice", "start": TODAY.isoformat(), **form})
    assert r.status_code == 400 and message in words(r)
    assert f'href="#{anchor}"' in text(r)
    assert counts() == before and latest_review(active_plan(local_person())).choice == ""
    if form.get("start"):  # what was typed comes back
        assert f'value="{form["start"]}"' in text(r)


def test_progress_starts_block_two_on_the_chosen_day(client):
    saved = reviewed(client)
    later = TODAY + timedelta(days=2)
    r = client.post("/block/", {"form": "choice", "choice": "progress", "start": later})
    assert r.status_code == 302 and r["Location"] == "/today/"
    plan = active_plan(local_person())
    assert block_of(plan) == {"number": 2, "kind": "progress"} and plan.start_date == later
    saved.refresh_from_db()
    assert saved.choice == "progress" and saved.next_plan_id == plan.id
    today = client.get("/today/")
    assert today.context["state"] == "not_started" and "Block 2" in words(today)
    assert "Your six weeks are done" not in words(today)
    page = client.get("/block/")
    assert page.context["state"] == "running" and "Block 2" in words(page)


def test_block_two_today_shows_its_first_session(client):
    reviewed(client)
    client.post("/block/", {"form": "choice", "choice": "progress", "start": TODAY})
    r = client.get("/today/")
    assert r.context["state"] == "session"
    assert "Block 2, week 1 of 6" in words(r)
    started = client.post("/today/", {"warning_signs": "none", "pain": "2"})
    player = client.get(started["Location"])
    assert '<span id="p-block">Block 2, week 1 of 6</span>' in text(player)


def test_maintain_keeps_the_exercises_ticked(client):
    saved = reviewed(client)
    keep = sorted(saved.review["reached"])[:1]
    form = {"form": "choice", "choice": "maintain", "start": TODAY, "keep": keep}
    assert client.post("/block/", form).status_code == 302
    plan = active_plan(local_person())
    slots = {e["slot"] for w in plan.data["weeks"] for s in w["sessions"] for e in s["exercises"]}
    assert block_of(plan)["kind"] == "maintain" and slots == set(keep)


def test_see_a_clinician_says_what_to_take_and_keeps_the_choice_open(client):
    saved = reviewed(client)
    r = client.post("/block/", {"form": "choice", "choice": "see_clinician", "start": TODAY})
    assert r.status_code == 302 and r["Location"] == "/block/#clinician"
    page = client.get("/block/")
    assert page.context["state"] == "review"
    assert "You chose to see a clinician first" in words(page)
    assert 'href="/settings/report.pdf"' in text(page)
    assert 'name="choice"' in text(page)  # still open
    today = client.get("/today/")
    assert "Your next block is waiting" in words(today)
    # after the visit
    form = {"form": "choice", "choice": "maintain", "start": TODAY, "keep": saved.review["keep"]}
    r = client.post("/block/", form)
    assert r.status_code == 302 and block_of(active_plan(local_person()))["number"] == 2


def test_plan_and_progress_show_the_blocks(client):
    reviewed(client)
    client.post("/block/", {"form": "choice", "choice": "progress", "start": TODAY})
    plan = words(client.get("/plan/"))
    assert "Block 2" in plan and "a step up from where you got to" in plan
    assert "Your blocks" in plan and "You chose: Progress" in plan
    progress = client.get("/progress/")
    assert progress.status_code == 200
    page = text(progress)
    assert "Your blocks" in words(progress) and '<table class="block-table">' in page
    assert "Block 1" in words(progress)
