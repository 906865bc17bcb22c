"""Clinic mode in a real browser on a real server (`psoas serve` with PSOAS_MODE=clinic on
a fresh PostgreSQL database): the first admin opens the link `psoas clinic init` printed,
sets a password and sets up the second factor from the secret the page shows (the code
computed here, as an authenticator app would), and lands on the staff page; a patient
invited with a condition signs up on a phone, sees it in the intake as their clinician's
answer, and gets a plan; the staff page then lists them by public id. Every page passes
axe-core and fits 375 px; the forms are sent from the keyboard."""

from __future__ import annotations

import pytest
from django_otp.oath import totp

from tests.e2e.check import check_page, main_text
from tests.e2e.clinic_flows import intake, invite, join, shown_key

pytestmark = [pytest.mark.store, pytest.mark.postgres]


def test_admin_and_patient_from_invitation_to_their_start(clinic, page, phone):
    link = invite(clinic, "init", "--name", "North Physio", "--admin-email", "ann@north.example")
    join(page, link, "clinic-1-invite-staff")
    page.wait_for_url("**/clinic/second-factor/")
    check_page(page, "clinic-2-second-factor-setup")
    key = shown_key(page)
    page.get_by_label("Code").fill("123456" if f"{totp(key):06d}" != "123456" else "654321")
    page.keyboard.press("Enter")
    page.get_by_text("That code did not work").wait_for()  # the same address: wait for it
    check_page(page, "clinic-2-second-factor-wrong")
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/")
    assert "No patients yet" in main_text(page)
    check_page(page, "clinic-3-landing-empty")

    link = invite(
        clinic, "invite", "--email", "pat@mail.example", "--role", "patient",
        "--clinician", "ann@north.example", "--condition", "osteoporosis",
    )  # fmt: skip
    join(phone, link, "clinic-4-invite-patient")

    def clinician_answers() -> None:
        note = phone.get_by_role("note")
        assert "Your clinician filled in some answers for you: Osteoporosis" in note.inner_text()
        assert phone.get_by_label("Osteoporosis (thin bones)").is_checked()

    intake(phone, "clinic-5-intake", on_health=clinician_answers)
    profile = phone.request.get(clinic.url + "api/profile").json()["profile"]
    assert profile["conditions"] == ["osteoporosis"] and profile["age"] == 58

    page.reload()
    listed = page.locator(".patient-list a")
    assert listed.count() == 1 and "pat@mail.example" not in main_text(page)
    check_page(page, "clinic-6-landing")
    listed.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/patients/*/")
    assert "Plan in force" in main_text(page) and "Started" in main_text(page)
    check_page(page, "clinic-7-patient")
    assert page.request.get(clinic.url + "api/profile").status == 404  # staff are not patients
