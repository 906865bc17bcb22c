"""Messages in a real browser on a real clinic server (`psoas serve` with PSOAS_MODE=clinic
on a fresh PostgreSQL database), in two browser contexts: the clinician (a laptop) writes
to a patient from the patient's overview; the patient (a phone) sees it on Today, opens
Messages, which marks it read, and replies; the clinician sees the unread count and the
reply, and opening the thread marks it read for them. The patient also turns on reminder
emails in Settings (a time zone refused by name, then saved). Text typed as HTML stays
text. Every
page passes axe-core and fits 375 px (staff pages checked at 375 px too); forms are sent
from the keyboard."""

from __future__ import annotations

import pytest

from tests.e2e.check import check_page, grade, main_text
from tests.e2e.clinic_flows import admin_joins, check_wide_and_narrow, patient_joins

pytestmark = [pytest.mark.store, pytest.mark.postgres]
NOTE = "Please do the bridges slowly this week. <b>Not bold</b>"
REPLY = "Thank you, I will. <script>alert(1)</script>"


def nav_count(page) -> str | None:
    badge = page.locator("[data-unread-total]")
    return badge.text_content().strip() if badge.count() else None


def test_clinician_and_patient_exchange_messages(clinic, page, phone):
    admin_joins(clinic, page, "messages-0-invite-staff")
    patient_joins(clinic, phone, "messages-0-invite-patient")

    # the clinician writes from the patient's overview
    page.goto(clinic.url + "clinic/")
    page.locator("a[href^='/clinic/patients/']").first.click()
    page.wait_for_url("**/clinic/patients/*/")
    overview = page.url
    assert "No messages yet." in main_text(page)
    check_wide_and_narrow(page, "messages-1-overview-empty")
    page.get_by_label("Write to the patient").fill(NOTE)
    page.get_by_role("button", name="Send").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#newest")
    assert NOTE in main_text(page) and "Not read yet" in main_text(page)
    check_wide_and_narrow(page, "messages-2-overview-sent")

    # the patient sees it on Today, calm, with a link to the thread
    phone.goto(clinic.url + "today/")
    card = phone.locator(".today-message")
    assert NOTE in card.inner_text() and "ann@north.example" in card.inner_text()
    assert phone.locator(".today-message b").count() == 0  # shown as text
    assert nav_count(phone) == "1 unread"
    check_page(phone, "messages-3-today")
    card.get_by_role("link", name="Read and reply").click()
    phone.wait_for_url("**/messages/#newest")
    phone.locator("[data-unread-total]").wait_for(state="detached")  # marked read by a POST
    assert NOTE in main_text(phone)
    check_page(phone, "messages-4-patient-thread")
    phone.get_by_label("Write to your care team").fill(REPLY)
    phone.get_by_role("button", name="Send").focus()
    with phone.expect_navigation(url="**/messages/#newest"):  # the same address: wait for it
        phone.keyboard.press("Enter")
    assert REPLY in main_text(phone)
    check_page(phone, "messages-5-patient-replied")
    phone.goto(clinic.url + "today/")
    assert phone.locator(".today-message").count() == 0  # read: Today is calm again

    # the patient turns on reminder emails: the time zone is the phone's own
    phone.goto(clinic.url + "settings/")
    section = phone.locator("#reminders")
    assert grade(section.inner_text()) <= 8
    zone = phone.get_by_label("Your time zone")
    assert zone.input_value() == phone.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    phone.get_by_label("Time of the email").fill("25:00")  # a time input refuses it itself
    phone.get_by_label("Time of the email").fill("07:30")
    zone.fill("Nowhere/Town")
    phone.get_by_role("button", name="Turn reminder emails on").focus()
    phone.keyboard.press("Enter")
    phone.get_by_text("Time zone: give a place").first.wait_for()
    check_page(phone, "messages-5b-reminder-refused")
    phone.get_by_label("Your time zone").fill("Europe/Madrid")
    phone.get_by_role("button", name="Turn reminder emails on").focus()
    with phone.expect_navigation(url="**/settings/?done=reminder-on#reminders"):
        phone.keyboard.press("Enter")
    assert "at 07:30, Europe/Madrid time" in phone.locator("#reminders").inner_text()
    check_page(phone, "messages-5c-reminder-on")

    # the clinician sees the unread count, then the reply; opening it marks it read
    page.goto(clinic.url + "clinic/")
    assert nav_count(page) == "1 unread"
    page.get_by_role("link", name="Messages").click()
    page.wait_for_url("**/clinic/messages/")
    assert "You have 1 unread message" in main_text(page)
    check_wide_and_narrow(page, "messages-6-staff-inbox")
    page.locator("main a[href^='/clinic/patients/']").first.click()
    page.wait_for_url(overview + "#messages")
    assert REPLY in main_text(page)
    assert "Read by Patient" in main_text(page)  # the patient read the clinician's note
    page.locator("[data-unread-total]").wait_for(state="detached")
    check_wide_and_narrow(page, "messages-7-overview-reply")
    page.reload()
    assert nav_count(page) is None and "New" not in main_text(page)
    assert page.locator("script", has_text="alert(1)").count() == 0
