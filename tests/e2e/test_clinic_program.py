"""The clinician's program editor in a real browser on a real clinic server (`psoas serve`
with PSOAS_MODE=clinic on a fresh PostgreSQL database): the patient has a plan; the
clinician changes a dose and swaps an exercise, each with a reason, from the keyboard; the
history tells both changes; the patient's Today on a phone shows the new version with
their clinician's reason. Every page passes axe-core and fits 375 px."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.e2e.check import check_page, main_text
from tests.e2e.clinic_flows import admin_joins, check_wide_and_narrow, patient_joins, send_form

pytestmark = [pytest.mark.store, pytest.mark.postgres]

PROFILE = {
    "schema": "psoas.profile/1",
    "age": 40,
    "equipment": ["mat", "chair"],
    "minutes_per_session": 30,
}
DOSE_WHY = "Your bridge looked easy at the clinic, so one more rep."
SWAP_WHY = "Lying on your side hurts your shoulder, so stand for this one."


def test_clinician_edits_and_the_patient_sees_the_new_version(clinic, page, phone):
    admin_joins(clinic, page, "program-0-invite-staff")
    patient_joins(clinic, phone, "program-0-invite-patient")
    # the patient's answers and plan, through their API (the intake's pages have their test)
    same = {"Origin": clinic.url.rstrip("/"), "Content-Type": "application/json"}
    put = phone.request.put(clinic.url + "api/profile", data=json.dumps(PROFILE), headers=same)
    assert put.ok, put.text()
    start = {"start": date.today().isoformat()}
    made = phone.request.post(clinic.url + "api/plan", data=json.dumps(start), headers=same)
    assert made.ok, made.text()

    # the clinician opens the patient's program
    page.goto(clinic.url + "clinic/")
    page.locator("main a[href^='/clinic/patients/']").first.click()
    page.wait_for_url("**/clinic/patients/*/")
    program = page.url + "program/"
    page.goto(program)
    assert "Week 1" in main_text(page) and "Version" in main_text(page)
    check_wide_and_narrow(page, "program-1-editor")

    # one more rep of the glute bridge, with a reason
    page.locator("main a[href='?exercise=glute_bridge#change']").first.click()
    page.wait_for_url("**?exercise=glute_bridge#change")
    assert "Reps (10 to 15 reps)" in main_text(page)
    check_wide_and_narrow(page, "program-2-exercise")
    page.get_by_label("Reps (10 to 15 reps)").fill("11")
    send_form(page, "dose", DOSE_WHY)
    page.wait_for_url(lambda u: "saved=2" in u)
    assert "Saved as version 2" in main_text(page)

    # the clamshell swapped for the first choice offered, with a reason
    page.locator("main a[href='?exercise=clamshell#change']").first.click()
    page.wait_for_url("**?exercise=clamshell#change")
    chosen = page.locator("#swap_to option").first.inner_text()
    send_form(page, "swap", SWAP_WHY)
    page.wait_for_url(lambda u: "saved=3" in u)
    assert "Saved as version 3" in main_text(page) and chosen in main_text(page)
    check_wide_and_narrow(page, "program-3-saved")

    # the history: who, why and what changed, in words
    page.get_by_role("link", name="History of changes").click()
    page.wait_for_url("**/program/history/")
    text = main_text(page)
    assert "Version 3" in text and "Version 2" in text and "Version 1" in text
    assert DOSE_WHY in text and SWAP_WHY in text and "ann@north.example" in text
    assert "now 1 set of 11 reps" in text and f"Clamshell swapped for {chosen.lower()}" in text
    check_wide_and_narrow(page, "program-4-history")

    # a review date in four weeks, which the patient's Plan page then shows
    review = date.today() + timedelta(days=28)
    page.goto(program)
    page.locator("#dates_review").fill(review.isoformat())
    send_form(page, "dates", "We look at how it went in four weeks.")
    page.wait_for_url(lambda u: "saved=4" in u)
    assert review.isoformat() in main_text(page)
    phone.goto(clinic.url + "plan/")
    note = phone.locator("#review-date").inner_text()
    assert note.startswith("Your clinician will look at your program again on ")
    assert f"{review:%A} {review.day} {review:%B %Y}" in note
    check_page(phone, "program-5-patient-plan-review-date")

    # the patient's Today shows the new version at once, with the clinician's reasons
    phone.goto(clinic.url + "today/")
    phone.get_by_text("See the exercises").click()
    text = main_text(phone)
    assert chosen in text and "Clamshell" not in text
    assert f"Your clinician changed this: {SWAP_WHY}" in text
    assert f"Your clinician changed this: {DOSE_WHY}" in text
    check_page(phone, "program-6-patient-today")
