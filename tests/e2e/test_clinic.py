"""Clinic mode in a real browser on a real server (`psoas serve` with PSOAS_MODE=clinic on
a fresh PostgreSQL database): the first admin opens the link `psoas clinic init` printed,
sets a password and sets up the second factor from the secret the page shows (the code
computed here, as an authenticator app would), and lands on the staff page; a patient
invited with a condition signs up on a phone, sees it in the intake as their clinician's
answer, and gets a plan; the staff page then lists them by public id. Every page passes
axe-core and fits 375 px; the forms are sent from the keyboard."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp

from tests.e2e.check import check_page, main_text
from tests.e2e.conftest import start_server, stop_server

pytestmark = [pytest.mark.store, pytest.mark.postgres]
PASSWORD = "a long and quiet password"


@pytest.fixture
def clinic(env):
    server = start_server({**env, "PSOAS_MODE": "clinic"})
    yield server
    stop_server(server)


def invite(server, *args: str) -> str:
    r = server.cli("clinic", *args, "--origin", server.url.rstrip("/"))
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


def join(page, link: str, name: str) -> None:
    page.goto(link)
    assert "Join North Physio" in main_text(page)
    check_page(page, name)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.keyboard.press("Enter")


def test_admin_and_patient_from_invitation_to_their_start(clinic, page, phone):
    link = invite(clinic, "init", "--name", "North Physio", "--admin-email", "ann@north.example")
    join(page, link, "clinic-1-invite-staff")
    page.wait_for_url("**/clinic/second-factor/")
    check_page(page, "clinic-2-second-factor-setup")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code").fill("123456" if f"{totp(key):06d}" != "123456" else "654321")
    page.keyboard.press("Enter")
    assert "That code did not work" in main_text(page)
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
    phone.wait_for_url("**/start/about/")
    phone.get_by_label("How old are you?").fill("58")
    phone.locator("#group_pregnant").get_by_text("No", exact=True).click()
    phone.locator("#group_birth").get_by_text("No", exact=True).click()
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/safety/")
    for group in phone.locator("fieldset.field").all():
        group.get_by_role("radio", name="No", exact=True).check()
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/health/")
    note = phone.get_by_role("note")
    assert "Your clinician filled in some answers for you: Osteoporosis" in note.inner_text()
    assert phone.get_by_label("Osteoporosis (thin bones)").is_checked()
    check_page(phone, "clinic-5-intake-clinician-answers")
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/limits/")
    phone.get_by_label("a sturdy chair").check()
    phone.locator("#group_balance").get_by_text("Yes, I can do both").click()
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/routine/")
    phone.get_by_label("About how many hours a day do you sit?").fill("6")
    phone.locator(".scale").get_by_text("3", exact=True).click()
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/self-tests/")
    phone.get_by_label("Hold test, left side, seconds").fill("25")
    phone.get_by_label("Hold test, right side, seconds").fill("26")
    phone.get_by_role("button", name="Make my plan", exact=True).click()
    phone.wait_for_url("**/plan/")
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
