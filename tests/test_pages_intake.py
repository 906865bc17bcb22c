"""The intake wizard (/start/) and the self-tests page (/self-tests/) through Django's test
client and the real URLconf: every step, the referral path at each level, bad input (a
4xx naming the field, nothing saved), editing answers (a new profile version, the old one
kept) and self-test results that change the classification."""

from __future__ import annotations

import pytest
from django.test import Client

from psoas.core.content.loader import catalog
from psoas.core.screening.referral import questions_to_ask
from psoas.web.intake.views import SESSION_KEY, safety_questions
from psoas.web.programs.models import Plan, ProfileVersion
from psoas.web.programs.services import active_plan, local_person

pytestmark = [pytest.mark.django_db(transaction=True)]

ABOUT = {"age": "41", "pregnant": "no", "birth": "no"}
HEALTH = {"conditions": ["none"], "hip": "no"}
LIMITS = {"equipment": ["chair", "mat"], "balance": "yes"}
ROUTINE = {"minutes": "15", "sitting_hours": "9", "activities": ["walking"], "pain": "4"}
TESTS = {
    "thomas_left": "positive",
    "thomas_right": "positive",
    "hold_left": "24",
    "hold_right": "22",
}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=True)  # a server error fails the test loudly


def all_no(age: int = 41, **profile) -> dict[str, str]:
    from types import SimpleNamespace

    p = SimpleNamespace(
        age=age,
        conditions=[],
        pregnancy_weeks=profile.get("pregnancy_weeks"),
        postpartum_weeks=profile.get("postpartum_weeks"),
    )
    return {
        f"flag_{q.id}": "no" for q in questions_to_ask(p, catalog()) if q.ask_when != "had_cancer"
    }


def post(client: Client, step: str, data: dict, status: int = 302):
    r = client.post(f"/start/{step}/", data)
    assert r.status_code == status, r.content.decode()[:3000]
    return r


def walk(
    client: Client,
    *,
    about=ABOUT,
    safety=None,
    health=HEALTH,
    limits=LIMITS,
    routine=ROUTINE,
    tests=TESTS,
):
    """Answer every step; returns the last response."""
    assert client.get("/start/").status_code == 302
    post(client, "about", about)
    post(client, "safety", safety if safety is not None else all_no(int(about["age"])))
    post(client, "health", health)
    post(client, "limits", limits)
    post(client, "routine", routine)
    return post(client, "self-tests", tests)


def saved_profiles() -> list[dict]:
    return [v.data for v in ProfileVersion.objects.order_by("version")]


# --- the happy path --------------------------------------------------------------------


def test_every_step_renders_with_its_progress_and_labels(client):
    r = client.get("/start/")
    assert r.status_code == 302 and r["Location"] == "/start/about/"
    page = client.get("/start/about/").content.decode()
    assert "Step 1 of 6" in page and "<h1>About you</h1>" in page
    assert 'for="id_age"' in page and "Are you pregnant now?" in page
    post(client, "about", ABOUT)
    page = client.get("/start/safety/").content.decode()
    assert "Step 2 of 6" in page and 'href="/start/about/"' in page  # Back
    for q in safety_questions_for(41):
        assert q.question.strip()[:40] in page
    assert "checked" not in page  # no default answer to any safety question
    post(client, "safety", all_no())
    page = client.get("/start/health/").content.decode()
    assert "Step 3 of 6" in page and "None of these" in page and "Taking blood thinners" in page
    post(client, "health", HEALTH)
    page = client.get("/start/limits/").content.decode()
    assert "Step 4 of 6" in page and "No kneeling" in page and "a sturdy chair" in page
    assert "stand on one leg for 10 seconds" in page and 'name="balance"' in page
    assert "checked" not in page  # no default answer to the balance question
    post(client, "limits", LIMITS)
    page = client.get("/start/routine/").content.decode()
    assert "Step 5 of 6" in page and 'class="scale"' in page and 'value="15"' in page
    post(client, "routine", ROUTINE)
    page = client.get("/start/self-tests/").content.decode()
    assert "Step 6 of 6" in page and "Skip the tests" in page
    assert "/self-tests/?from=start#modified_thomas_test" in page


def safety_questions_for(age: int):
    from types import SimpleNamespace

    p = SimpleNamespace(age=age, conditions=[], pregnancy_weeks=None, postpartum_weeks=None)
    return safety_questions(p)


def test_happy_path_saves_the_profile_and_an_active_plan(client):
    r = walk(client)
    assert r["Location"] == "/plan/"
    [profile] = saved_profiles()
    assert profile["schema"] == "psoas.profile/1"
    assert profile["age"] == 41 and profile["equipment"] == ["chair", "mat"]
    assert profile["red_flags"] == [] and profile["conditions"] == []
    assert profile["minutes_per_session"] == 15 and profile["sitting_hours_per_day"] == 9.0
    assert profile["pain"] == {"nprs": 4} and profile["activities"] == ["walking"]
    assert profile["balance"] == "good" and "hip_replacement_weeks" not in profile
    assert profile["assessment"]["thomas_test"] == {"left": "positive", "right": "positive"}
    plan = active_plan(local_person())
    assert plan is not None and plan.data["status"] == "ok"
    assert plan.data["classification"] == "tight" and plan.person.scheduled.exists()
    assert SESSION_KEY not in client.session  # the wizard is over


def test_skipping_the_self_tests_still_makes_a_plan(client):
    walk(client, tests={"skip": "1", "thomas_left": "positive"})
    [profile] = saved_profiles()
    assert "assessment" not in profile
    assert active_plan(local_person()).data["classification"] == "unclear"


def test_a_step_cannot_be_skipped_by_its_address(client):
    client.get("/start/")
    r = client.get("/start/routine/")
    assert r.status_code == 302 and r["Location"] == "/start/about/"
    post(client, "about", ABOUT)
    r = client.post("/start/limits/", LIMITS)
    assert r.status_code == 302 and r["Location"] == "/start/safety/"
    assert client.get("/start/nowhere/").status_code == 404
    assert not saved_profiles()


def test_pregnancy_asks_its_own_safety_questions(client):
    client.get("/start/")
    post(client, "about", {"age": "30", "pregnant": "yes", "pregnancy_weeks": "24"})
    page = client.get("/start/safety/").content.decode()
    pregnancy = [q for q in catalog().screening.red_flags if q.ask_when == "pregnant"]
    assert all(q.question.strip()[:30] in page for q in pregnancy)
    walk_rest = all_no(30, pregnancy_weeks=24)
    post(client, "safety", walk_rest)
    post(client, "health", HEALTH)
    post(client, "limits", LIMITS)
    post(client, "routine", ROUTINE)
    page = client.get("/start/self-tests/").content.decode()
    assert "We skip this test for you" in page  # no Thomas test lying back at 24 weeks
    assert 'name="thomas_left"' not in page and 'name="hold_left"' in page
    post(client, "self-tests", {"hold_left": "10", "hold_right": "12"})
    [profile] = saved_profiles()
    assert profile["pregnancy_weeks"] == 24 and "postpartum_weeks" not in profile


def test_hip_replacement_skips_the_self_tests_that_break_its_precautions(client):
    client.get("/start/")
    post(client, "about", ABOUT)
    post(client, "safety", all_no())
    post(client, "health", {"conditions": ["none"], "hip": "back"})
    post(client, "limits", LIMITS)
    post(client, "routine", ROUTINE)
    page = client.get("/start/self-tests/").content.decode()
    skip = catalog().conditions["hip_replacement_posterior"].modifiers.skip_self_tests
    assert skip and page.count("We skip this test for you") == len(skip)
    # a result for a skipped test sent anyway is not kept
    post(client, "self-tests", TESTS)
    [profile] = saved_profiles()
    assert profile["conditions"] == ["hip_replacement_posterior"]
    for test, key in (
        ("modified_thomas_test", "thomas_test"),
        ("hip_flexor_hold_test", "hip_flexor_hold_s"),
    ):
        if test in skip:
            assert key not in profile.get("assessment", {})


@pytest.mark.parametrize(("said", "balance"), [("yes", "good"), ("no", "poor"), ("unsure", None)])
def test_the_balance_answer_reaches_the_profile(client, said, balance):
    walk(client, limits={**LIMITS, "balance": said}, tests={"skip": "1"})
    [profile] = saved_profiles()
    assert profile.get("balance") == balance


@pytest.mark.parametrize(
    ("hip", "conditions"),
    [
        ("front", ["hip_replacement_anterior"]),
        ("side", ["hip_replacement_lateral"]),
        ("back", ["hip_replacement_posterior"]),
        (
            "unsure",
            ["hip_replacement_posterior", "hip_replacement_lateral", "hip_replacement_anterior"],
        ),
    ],
)
def test_each_hip_cut_and_not_sure_give_their_conditions_and_the_weeks(client, hip, conditions):
    client.get("/start/")
    post(client, "about", ABOUT)
    post(client, "safety", all_no())
    page = client.get("/start/health/").content.decode()
    assert "Yes, cut at the side (lateral)" in page
    assert "How many weeks ago was your hip replacement?" in page
    assert 'data-show-when="hip=front|side|back|unsure"' in page
    post(client, "health", {"conditions": ["none"], "hip": hip, "hip_replacement_weeks": "6"})
    post(client, "limits", LIMITS)
    post(client, "routine", ROUTINE)
    post(client, "self-tests", {"skip": "1"})
    [profile] = saved_profiles()
    assert profile["conditions"] == conditions and profile["hip_replacement_weeks"] == 6


def test_hip_weeks_left_empty_or_without_a_hip_replacement_are_left_out(client):
    walk(client, health={"conditions": ["none"], "hip": "side", "hip_replacement_weeks": ""})
    walk(client, health={"conditions": ["none"], "hip": "no", "hip_replacement_weeks": "oops"})
    first, second = saved_profiles()
    assert first["conditions"] == ["hip_replacement_lateral"]
    assert "hip_replacement_weeks" not in first
    assert second["conditions"] == [] and "hip_replacement_weeks" not in second


def test_recent_surgery_asks_its_follow_up_questions(client):
    client.get("/start/")
    post(client, "about", ABOUT)
    post(client, "safety", all_no())
    post(client, "health", {"conditions": ["recent_surgery"], "hip": "no"})
    page = client.get("/start/safety/").content.decode()
    surgery = [q for q in catalog().screening.red_flags if q.ask_when == "recent_surgery"]
    assert {q.id for q in surgery} >= {"surgery_not_cleared", "surgery_wound_or_fever"}
    for q in surgery:
        assert f'name="flag_{q.id}"' in page


# --- red flags -------------------------------------------------------------------------


def first_flag(level: str):
    return next(
        q for q in safety_questions_for(60) if q.level == level and q.ask_when != "had_cancer"
    )


@pytest.mark.parametrize("level", ["emergency", "urgent", "routine"])
def test_each_red_flag_level_goes_to_the_referral_page_and_no_plan(client, level):
    flag = first_flag(level)
    client.get("/start/")
    post(client, "about", {**ABOUT, "age": "60"})
    r = post(client, "safety", {f"flag_{flag.id}": "yes"})  # one yes is enough
    assert r["Location"] == "/start/refer/"
    [profile] = saved_profiles()
    assert profile["red_flags"] == [flag.id]
    plan = active_plan(local_person())
    assert plan.data["status"] == "refer" and not plan.scheduled.exists()
    assert not Plan.objects.filter(active=True, data__status="ok").exists()
    page = client.get("/start/refer/").content.decode()
    message = next(m for m in catalog().screening.referral_messages if m.level == level)
    assert message.title in page and "No exercise plan was made" in page
    if level == "emergency":
        assert "alert--error" in page
    assert client.get("/start/self-tests/").status_code == 302  # the wizard is over


def test_emergency_comes_first_on_the_referral_page(client):
    urgent, emergency = first_flag("urgent"), first_flag("emergency")
    client.get("/start/")
    post(client, "about", ABOUT)
    post(client, "safety", {**all_no(), f"flag_{urgent.id}": "yes", f"flag_{emergency.id}": "yes"})
    page = client.get("/start/refer/").content.decode()
    title = next(m.title for m in catalog().screening.referral_messages if m.level == "emergency")
    assert title in page
    assert page.index(emergency.question.strip()[:30]) < page.index(urgent.question.strip()[:30])


def test_a_missing_red_flag_answer_is_an_error_naming_the_question(client):
    client.get("/start/")
    post(client, "about", ABOUT)
    answers = all_no()
    missing = next(iter(answers))
    del answers[missing]
    r = post(client, "safety", answers, status=422)
    page = r.content.decode()
    question = next(q for q in catalog().screening.red_flags if f"flag_{q.id}" == missing)
    assert "Please answer Yes or No: " + question.question.strip()[:30] in page
    assert f'href="#group_{missing}"' in page and 'aria-invalid="true"' in page
    assert not saved_profiles()
    assert client.get("/start/health/")["Location"] == "/start/safety/"


def test_a_past_cancer_asks_its_follow_up_and_a_yes_refers(client):
    follow_up = next(q for q in catalog().screening.red_flags if q.ask_when == "had_cancer")
    client.get("/start/")
    post(client, "about", ABOUT)
    post(client, "safety", all_no())
    r = post(client, "health", {"conditions": ["cancer"], "hip": "no"}, status=422)
    assert "Please answer Yes or No: " + follow_up.question.strip()[:30] in r.content.decode()
    r = post(
        client, "health", {"conditions": ["cancer"], "hip": "no", f"flag_{follow_up.id}": "yes"}
    )
    assert r["Location"] == "/start/refer/"
    assert saved_profiles()[-1]["red_flags"] == [follow_up.id]


def test_under_the_minimum_age_is_referred(client):
    client.get("/start/")
    r = post(client, "about", {**ABOUT, "age": "15"})
    assert r["Location"] == "/start/refer/"
    assert active_plan(local_person()).data["status"] == "refer"


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data", "named"),
    [
        ("about", {**ABOUT, "age": "-1"}, "Age: give a whole number from 0 to 120."),
        ("about", {**ABOUT, "age": "forty"}, "Age: give a whole number from 0 to 120."),
        ("about", {"age": "30", "pregnant": "yes"}, "Weeks pregnant: please give a number."),
        ("about", {"age": "30"}, "Are you pregnant now? Please choose an answer."),
        ("routine", {**ROUTINE, "minutes": "500"}, "Minutes per session: give a whole number"),
        ("routine", {**ROUTINE, "pain": "11"}, "Pain right now: please choose one of"),
        ("routine", {**ROUTINE, "sitting_hours": "30"}, "Hours sitting per day: give a number"),
        ("self-tests", {"hold_left": "ten"}, "Hold test, left side, seconds: give a number"),
        ("self-tests", {"thomas_left": "maybe"}, "Thomas test, left side: please choose one"),
        ("health", {"conditions": ["none", "cancer"], "hip": "no"}, "Health conditions: you"),
        ("health", {"hip": "no"}, "Health conditions: tick each one"),
        ("health", {"conditions": ["gout"], "hip": "no"}, "Health conditions: please choose"),
        ("limits", {"equipment": ["sofa"], "balance": "yes"}, "What you have at home: please"),
        ("limits", {"equipment": ["chair"]}, "without help? Please choose an answer."),
        ("limits", {"balance": "maybe"}, "without help? Please choose one of the answers"),
        (
            "health",
            {"conditions": ["none"], "hip": "back", "hip_replacement_weeks": "-1"},
            "Weeks since the hip replacement: give a whole number from 0 to 520.",
        ),
        (
            "health",
            {"conditions": ["none"], "hip": "unsure", "hip_replacement_weeks": "six"},
            "Weeks since the hip replacement: give a whole number from 0 to 520.",
        ),
        (
            "health",
            {"conditions": ["none"], "hip": "side", "hip_replacement_weeks": "521"},
            "Weeks since the hip replacement: give a whole number from 0 to 520.",
        ),
    ],
)
def test_bad_numbers_and_choices_name_the_field_and_save_nothing(client, step, data, named):
    client.get("/start/")
    order = ["about", "safety", "health", "limits", "routine", "self-tests"]
    good = {"about": ABOUT, "safety": all_no(), "health": HEALTH, "limits": LIMITS}
    good["routine"] = ROUTINE
    for before in order[: order.index(step)]:
        post(client, before, good[before])
    r = post(client, step, data, status=422)
    page = r.content.decode()
    assert named in page, page[:3000]
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert not saved_profiles() and active_plan(local_person()) is None


# --- editing answers -------------------------------------------------------------------


def test_editing_prefills_every_step_and_saves_a_new_version(client):
    walk(client)
    first = ProfileVersion.objects.get()
    client.get("/start/")
    page = client.get("/start/about/").content.decode()
    assert 'value="41"' in page and "changing your answers" in page
    post(client, "about", {**ABOUT, "age": "42"})
    page = client.get("/start/safety/").content.decode()
    assert "checked" not in page  # the safety questions are asked fresh
    assert client.get("/start/health/")["Location"] == "/start/safety/"
    post(client, "safety", all_no(42))
    page = client.get("/start/limits/").content.decode()
    assert 'value="chair" id="id_equipment_2" checked' in page
    assert 'value="yes" id="id_balance_0" checked' in page
    page = client.get("/start/routine/").content.decode()
    assert 'value="9"' in page
    assert 'value="4" id="id_pain_4" checked' in page
    page = client.get("/start/self-tests/").content.decode()
    assert 'value="24"' in page
    post(client, "self-tests", TESTS)
    versions = list(ProfileVersion.objects.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].data == first.data and versions[1].data["age"] == 42
    assert active_plan(local_person()).profile_id == versions[1].id
    assert Plan.objects.count() == 2 and Plan.objects.filter(active=True).count() == 1


def test_editing_prefills_the_hip_cut_its_weeks_and_the_balance_answer(client):
    walk(
        client,
        health={"conditions": ["none"], "hip": "side", "hip_replacement_weeks": "8"},
        limits={**LIMITS, "balance": "no"},
        tests={"skip": "1"},
    )
    client.get("/start/")
    post(client, "about", ABOUT)
    post(client, "safety", all_no())
    page = client.get("/start/health/").content.decode()
    assert 'value="side" id="id_hip_2" checked' in page
    assert 'name="hip_replacement_weeks" value="8"' in page
    page = client.get("/start/limits/").content.decode()
    assert 'value="no" id="id_balance_1" checked' in page
    post(client, "health", {"conditions": ["none"], "hip": "side", "hip_replacement_weeks": "9"})
    post(client, "limits", {**LIMITS, "balance": "no"})
    post(client, "routine", ROUTINE)
    post(client, "self-tests", {"skip": "1"})
    latest = saved_profiles()[-1]
    assert latest["hip_replacement_weeks"] == 9 and latest["balance"] == "poor"


def test_editing_an_older_profile_asks_the_balance_question_again(client):
    old = {"schema": "psoas.profile/1", "age": 50, "minutes_per_session": 15, "pain": {"nprs": 1}}
    old["conditions"] = ["hip_replacement_posterior", "hip_replacement_anterior"]
    from psoas.web.programs.services import save_profile

    save_profile(local_person(), old)
    client.get("/start/")
    post(client, "about", {**ABOUT, "age": "50"})
    post(client, "safety", all_no(50))
    page = client.get("/start/health/").content.decode()
    assert 'value="unsure" id="id_hip_4" checked' in page  # both cuts: not sure which
    page = client.get("/start/limits/").content.decode()
    assert 'name="balance"' in page and "checked" not in page  # unknown: never guessed


# --- the self-tests page ---------------------------------------------------------------


def test_self_tests_page_shows_pictures_and_guides(client):
    page = client.get("/self-tests/").content.decode()
    for test in catalog().self_tests.values():
        assert test.name in page and test.limits_of_test[:40] in page
        assert test.illustration.caption in page
        assert test.stop_signs[0] in page
    assert page.count("<svg") >= 2 and "answer the questions" in page
    assert 'name="test"' not in page  # nothing to save to before a profile exists


def test_self_tests_without_a_profile_save_nothing(client):
    r = client.post("/self-tests/", {"test": "hip_flexor_hold_test", "hold-left": "20"})
    assert r.status_code == 302 and r["Location"] == "/start/"
    assert not saved_profiles()


def test_self_test_results_change_the_classification(client):
    walk(client, tests={"skip": "1"})
    assert active_plan(local_person()).data["classification"] == "unclear"
    page = client.get("/self-tests/").content.decode()
    assert "Not clear" in page
    r = client.post(
        "/self-tests/",
        {"test": "modified_thomas_test", "thomas-left": "positive", "thomas-right": "negative"},
    )
    assert r.status_code == 302 and r["Location"] == "/self-tests/?saved=1#result"
    assert active_plan(local_person()).data["classification"] == "tight"
    r = client.post(
        "/self-tests/", {"test": "hip_flexor_hold_test", "hold-left": "8", "hold-right": "20"}
    )
    assert r.status_code == 302
    plan = active_plan(local_person())
    assert plan.data["classification"] == "tight_and_weak"
    versions = saved_profiles()
    assert len(versions) == 3
    assert versions[-1]["assessment"] == {
        "thomas_test": {"left": "positive", "right": "negative"},
        "hip_flexor_hold_s": {"left": 8.0, "right": 20.0},
    }
    page = client.get("/self-tests/?saved=1").content.decode()
    assert "Tight and weak" in page and "Saved. Your new result" in page
    assert "both stiff and weak" in page


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (
            {"test": "hip_flexor_hold_test", "hold-left": "ten"},
            "Hold test, left side, seconds: give",
        ),
        (
            {"test": "hip_flexor_hold_test", "hold-left": "301"},
            "Hold test, left side, seconds: give",
        ),
        ({"test": "hip_flexor_hold_test"}, "give the seconds for at least one side"),
        (
            {"test": "modified_thomas_test", "thomas-left": "tight"},
            "Thomas test, left side: please",
        ),
        ({"test": "modified_thomas_test"}, "choose a result for at least one side"),
    ],
)
def test_bad_self_test_results_name_the_field_and_save_nothing(client, data, named):
    walk(client)
    r = client.post("/self-tests/", data)
    assert r.status_code == 422
    page = r.content.decode()
    assert named in page and 'aria-invalid="true"' in page
    assert len(saved_profiles()) == 1


def test_unknown_self_test_is_a_400(client):
    walk(client)
    assert client.post("/self-tests/", {"test": "nope"}).status_code == 400
    assert len(saved_profiles()) == 1


def test_a_skipped_test_cannot_be_saved_on_its_own_page(client):
    walk(client, health={"conditions": ["none"], "hip": "front"}, tests={"skip": "1"})
    skip = catalog().conditions["hip_replacement_anterior"].modifiers.skip_self_tests
    page = client.get("/self-tests/").content.decode()
    assert page.count("Please skip this test") == len(skip)
    for test in skip:
        data = {"test": test, "thomas-left": "positive", "hold-left": "20"}
        r = client.post("/self-tests/", data)
        assert r.status_code == 422 and "not safe for you now" in r.content.decode()
    assert len(saved_profiles()) == 1


def test_self_tests_inside_the_wizard_go_back_to_the_wizard(client):
    client.get("/start/")
    post(client, "about", ABOUT)
    post(client, "safety", all_no())
    post(client, "health", HEALTH)
    post(client, "limits", LIMITS)
    post(client, "routine", ROUTINE)
    page = client.get("/self-tests/?from=start").content.decode()
    assert "Go back to your questions" in page and 'name="from" value="start"' in page
    r = client.post(
        "/self-tests/",
        {"test": "hip_flexor_hold_test", "from": "start", "hold-left": "12", "hold-right": "13"},
    )
    assert r.status_code == 302 and r["Location"] == "/start/self-tests/"
    assert not saved_profiles()  # kept in the session until the end
    page = client.get("/start/self-tests/").content.decode()
    assert 'value="12"' in page and 'value="13"' in page
    post(client, "self-tests", {"hold_left": "12", "hold_right": "13"})
    assert active_plan(local_person()).data["classification"] == "weak"


def test_referral_page_without_a_referral_goes_elsewhere(client):
    assert client.get("/start/refer/")["Location"] == "/start/"
    walk(client)
    assert client.get("/start/refer/")["Location"] == "/plan/"
