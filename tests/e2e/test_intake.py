"""The intake wizard and the self-tests in a real browser on the real server: a new person
on a phone from the first question to the plan, the red-flag path to the referral page,
and the self-tests page with its pictures, filled in with the keyboard alone."""

from __future__ import annotations

import json

from tests.e2e.check import check_page, grade, main_text


def step_check(page, name: str, limit: float = 8) -> None:
    check_page(page, f"intake-{name}")
    text = main_text(page)
    assert grade(text) <= limit, f"{name}: grade {grade(text)} > {limit}"


def answer_all_safety_no(page) -> None:
    for group in page.locator("fieldset.field").all():
        group.get_by_role("radio", name="No", exact=True).check()


def test_new_person_on_a_phone_goes_from_the_questions_to_the_plan(server, phone):
    phone.goto(server.url)
    phone.get_by_role("link", name="Start the safety questions").click()
    phone.wait_for_url("**/start/about/")
    assert "Step 1 of 6" in main_text(phone)
    step_check(phone, "1-about")
    phone.get_by_role("button", name="Next").click()  # nothing answered: errors, not a crash
    assert phone.locator("#error-summary").is_visible()
    assert "Age: please give a number." in main_text(phone)
    assert phone.get_by_label("How old are you?").get_attribute("aria-invalid") == "true"
    step_check(phone, "1-about-errors")
    phone.get_by_label("How old are you?").fill("41")
    phone.locator("#group_pregnant").get_by_text("No", exact=True).click()
    assert phone.get_by_label("How many weeks pregnant are you?").is_hidden()
    phone.locator("#group_birth").get_by_text("No", exact=True).click()
    phone.get_by_role("button", name="Next").click()

    phone.wait_for_url("**/start/safety/")
    assert "Step 2 of 6" in main_text(phone)
    step_check(phone, "2-safety", limit=6)
    answer_all_safety_no(phone)
    phone.get_by_role("button", name="Next").click()

    phone.wait_for_url("**/start/health/")
    step_check(phone, "3-health")
    phone.get_by_label("None of these").check()
    weeks = phone.get_by_label("How many weeks ago was your hip replacement?")
    assert weeks.is_hidden()  # only asked with a hip replacement
    phone.locator("#group_hip").get_by_text("Yes, cut at the side (lateral)").click()
    assert weeks.is_visible()
    weeks.fill("six")
    phone.get_by_role("button", name="Next").click()
    assert "Weeks since the hip replacement: give a whole number" in main_text(phone)
    assert weeks.get_attribute("aria-invalid") == "true"
    step_check(phone, "3-health-errors")
    phone.locator("#group_hip").get_by_text("No", exact=True).click()
    assert weeks.is_hidden()  # and its stale entry is dropped, not an error
    phone.get_by_role("button", name="Next").click()

    phone.wait_for_url("**/start/limits/")
    step_check(phone, "4-limits")
    phone.get_by_label("a sturdy chair").check()
    phone.get_by_role("button", name="Next").click()  # balance not answered: an error
    assert "without help? Please choose an answer." in main_text(phone)
    phone.get_by_label("a sturdy chair").check()
    phone.locator("#group_balance").get_by_text("Yes, I can do both").click()
    phone.get_by_role("button", name="Next").click()

    phone.wait_for_url("**/start/routine/")
    step_check(phone, "5-routine")
    assert phone.get_by_label("How many minutes can you spend per session?").input_value() == "15"
    phone.get_by_label("About how many hours a day do you sit?").fill("8")
    phone.locator(".scale").get_by_text("3", exact=True).click()
    phone.get_by_role("button", name="Next").click()

    phone.wait_for_url("**/start/self-tests/")
    step_check(phone, "6-self-tests")
    phone.get_by_label("Hold test, left side, seconds").fill("25")
    phone.get_by_label("Hold test, right side, seconds").fill("26")
    phone.get_by_role("button", name="Make my plan", exact=True).click()
    phone.wait_for_url("**/plan/")

    plan = phone.request.get(server.url + "api/plan")
    assert plan.ok and plan.json()["plan"]["status"] == "ok"
    today = server.cli("today", "--json")
    assert today.returncode == 0, today.stderr
    profile = phone.request.get(server.url + "api/profile").json()["profile"]
    assert profile["age"] == 41 and profile["equipment"] == ["chair"]
    assert profile["conditions"] == [] and "hip_replacement_weeks" not in profile
    assert profile["balance"] == "good"
    assert profile["assessment"] == {"hip_flexor_hold_s": {"left": 25.0, "right": 26.0}}
    assert json.loads(today.stdout)


def test_an_emergency_answer_ends_on_the_referral_page(server, page):
    page.goto(server.url + "start/")
    page.get_by_label("How old are you?").fill("52")
    page.locator("#group_pregnant").get_by_text("No", exact=True).click()
    page.locator("#group_birth").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/start/safety/")
    first = page.locator("fieldset.field").first
    first.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/start/refer/")
    alert = page.get_by_role("alert")
    assert "Get emergency help now" in alert.inner_text()
    assert "No exercise plan was made" in main_text(page)
    step_check(page, "refer-emergency", limit=6)
    plan = page.request.get(server.url + "api/plan").json()["plan"]
    assert plan["status"] == "refer" and plan["referral"]["level"] == "emergency"


def test_self_tests_page_has_pictures_and_a_form_done_by_keyboard(server, page):
    seeded = server.cli("init", "--profile", "examples/desk_worker.json")
    assert seeded.returncode == 0, seeded.stderr
    page.goto(server.url + "self-tests/")
    pictures = page.locator("figure.figure svg")
    assert pictures.count() == 2
    assert all(p.get_attribute("role") == "img" for p in pictures.all())
    step_check(page, "self-tests")
    hold = page.get_by_label("Hold test, left side, seconds")
    assert hold.input_value() == "24"  # the saved result, to change
    hold.focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("9")
    page.keyboard.press("Tab")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("21")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Save my result"
    page.keyboard.press("Enter")
    page.wait_for_url("**/self-tests/?saved=1#result")
    result = page.locator("#result")
    assert "Tight and weak" in result.inner_text()
    step_check(page, "self-tests-saved")
    versions = page.request.get(server.url + "api/profile/versions").json()
    assert len(versions) == 2
    assert versions[-1]["profile"]["assessment"]["hip_flexor_hold_s"] == {
        "left": 9.0,
        "right": 21.0,
    }
