"""The whole clinical journey in a real browser on a real clinic server (`psoas serve` with
PSOAS_MODE=clinic on a fresh PostgreSQL database) and a real `psoas worker` process (clinic
mode defers the alert evaluation through psoas.jobs), in two browser contexts: the admin
clinician sets up the second factor and invites two patients from the invite page (the
link copied with its button); the patient, on a 375 px phone, signs up, does the intake, gets a
plan and stops a session for pain; the clinician sees the alert at the top of the
worklist, acknowledges it with a note, swaps an exercise with a reason and writes to the
patient; the patient sees the new version with the reason on Plan and Today, and the
message on Today. Every page passes axe-core and fits 375 px."""

from __future__ import annotations

import pytest

from tests.e2e.check import check_page, main_text
from tests.e2e.clinic_flows import (
    admin_joins,
    check_wide_and_narrow,
    intake,
    invite_on_page,
    join,
    send_form,
)
from tests.e2e.flows import start
from tests.e2e.test_player import wait_state

pytestmark = [pytest.mark.store, pytest.mark.postgres]
WAIT = 60_000  # ms: a busy 2-core machine runs the worker, the server and two browsers
ACK = "Called Pat: the side-lying work hurt. Swapping it this week."
SWAP_WHY = "This one hurt you, so try a gentler one for now."
NOTE = "I swapped one exercise. Stop if it hurts and tell me how it goes."


def reload_until(page, text: str, log) -> None:
    """Reload the page until `text` shows (the worker's job may still be on its way)."""
    for _ in range(30):
        if text in main_text(page):
            return
        page.wait_for_timeout(2_000)
        page.reload()
    raise AssertionError(f"{text!r} never showed; the worker said: {log.read_text()}")


def test_invitation_to_alert_to_a_changed_program(clinic, start_worker, page, phone):
    worker = start_worker()
    page.set_default_timeout(WAIT)
    phone.set_default_timeout(WAIT)
    admin_joins(clinic, page, "journey-01-invite-staff")
    check_wide_and_narrow(page, "journey-02-worklist-empty")
    page.get_by_role("link", name="Invite a patient").click()
    page.wait_for_url("**/clinic/invite/")
    check_wide_and_narrow(page, "journey-03-invite-form")

    # a quiet patient who joined first, so the alert's place on the list is not chance
    quiet = page.context.browser.new_context(viewport={"width": 375, "height": 740})
    link = invite_on_page(page, "quiet@mail.example", "journey-03-invite-link")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the link").click()
    status = page.locator("#copy_status")
    status.filter(has_text="Copied.").wait_for()  # the page says so once the copy is done
    assert status.inner_text() == "Copied. Send it to the person you invite."
    assert page.evaluate("navigator.clipboard.readText()") == link
    quiet_page = quiet.new_page()
    quiet_page.set_default_timeout(WAIT)
    join(quiet_page, link, "journey-03-join-quiet")
    quiet_page.wait_for_url("**/start/about/")
    quiet.close()

    # the patient signs up on a phone, does the intake and gets a plan
    link = invite_on_page(page, "pat@mail.example")
    assert "quiet@mail.example" not in main_text(page).split("Open invitations")[1]  # used
    join(phone, link, "journey-04-invite-patient")
    intake(phone, "journey-05-intake")
    check_page(phone, "journey-06-plan")
    today = phone.request.get(clinic.url + "api/today").json()["session"]
    swapped = today["exercises"][0]

    # a session stopped for pain: the alert is evaluated by the worker at once
    start(phone, clinic, speed=1, pain=2)
    check_page(phone, "journey-07-player")
    phone.get_by_role("button", name="Start").click()
    wait_state(phone, "running", timeout=WAIT)
    phone.keyboard.press("p")
    phone.wait_for_selector("#p-pain-form:not([hidden])")
    phone.locator("#p-pain-form input[name=pain_stop][value='7']").check()
    phone.get_by_role("button", name="Stop the session").click()
    wait_state(phone, "finished", timeout=WAIT)
    phone.wait_for_selector("#player[data-outbox='0']", state="attached")
    assert "stopped for pain" in main_text(phone)
    check_page(phone, "journey-08-stopped")

    # the clinician sees the alert at the top of the worklist
    page.goto(clinic.url + "clinic/")
    reload_until(page, "Stopped for pain", worker)
    first = page.locator(".worklist > li").first
    assert "Alert (high): Stopped for pain" in first.inner_text()
    assert page.locator(".worklist > li").count() == 2
    check_wide_and_narrow(page, "journey-09-worklist-alert")
    patient_url = first.get_by_role("link").first.get_attribute("href")

    # acknowledged with a note from the keyboard
    page.get_by_role("link", name="Alerts").click()
    page.wait_for_url("**/clinic/alerts/")
    check_wide_and_narrow(page, "journey-10-alerts")
    card = page.locator(".alert-list > li").filter(has_text="Stopped for pain")
    card.get_by_label("Note").fill(ACK)
    card.get_by_role("button", name="Acknowledge").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/alerts/?done=acknowledge")
    assert "Saved. The alert is acknowledged." in main_text(page)
    check_wide_and_narrow(page, "journey-11-acknowledged")

    # the exercise of today's session swapped, with a reason
    page.goto(clinic.url + patient_url.lstrip("/") + "program/")
    page.locator(f"main a[href='?exercise={swapped['id']}#change']").first.click()
    page.wait_for_url(f"**?exercise={swapped['id']}#change")
    check_wide_and_narrow(page, "journey-12-program-exercise")
    chosen = page.locator("#swap_to option").first.inner_text()
    send_form(page, "swap", SWAP_WHY)
    page.wait_for_url(lambda u: "saved=2" in u)
    assert "Saved as version 2" in main_text(page) and chosen in main_text(page)
    check_wide_and_narrow(page, "journey-13-program-saved")

    # and a message from the patient's overview
    page.goto(clinic.url + patient_url.lstrip("/"))
    page.get_by_label("Write to the patient").fill(NOTE)
    page.get_by_role("button", name="Send").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#newest")
    assert NOTE in main_text(page)
    check_wide_and_narrow(page, "journey-14-overview")

    # the patient sees the new version with the reason, and the message on Today
    phone.goto(clinic.url + "plan/")
    text = main_text(phone)
    assert chosen in text and f"Your clinician changed this: {SWAP_WHY}" in text
    check_page(phone, "journey-15-plan-changed")
    phone.goto(clinic.url + "today/")
    card = phone.locator(".today-message")
    assert NOTE in card.inner_text() and "ann@north.example" in card.inner_text()
    check_page(phone, "journey-16-today")
