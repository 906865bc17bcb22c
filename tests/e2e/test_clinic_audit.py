"""The audit trail in a real browser on a real clinic server (`psoas serve` with
PSOAS_MODE=clinic on a fresh PostgreSQL database): the clinic's admin opens a patient's
page and downloads their CSV file, then reads the audit trail, filters it by the patient
from the keyboard and downloads it as CSV; the patient, on a phone, reads what deleting
their data erases and what the clinic keeps, and deletes it; the admin sees the
download, the export and the erasure in the trail. Every page passes axe-core and fits
375 px (the admin's pages at a laptop's width and at 375 px)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from tests.e2e.check import check_page, main_text
from tests.e2e.clinic_flows import admin_joins, check_wide_and_narrow, patient_joins

pytestmark = [pytest.mark.store, pytest.mark.postgres]


def test_admin_reads_and_exports_the_trail_and_sees_an_erasure(clinic, page, phone):
    admin_joins(clinic, page, "audit-0-invite-staff")
    patient_joins(clinic, phone, "audit-0-invite-patient")

    # the admin opens the patient's page and downloads their records
    page.goto(clinic.url + "clinic/")
    page.locator("main a[href^='/clinic/patients/']").first.click()
    page.wait_for_url("**/clinic/patients/*/")
    public_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    with page.expect_download() as got:
        page.get_by_role("link", name="All records as tables (CSV files in a zip)").click()
    with zipfile.ZipFile(got.value.path()) as zf:
        assert "psoas-export/sessions.csv" in zf.namelist()

    # the trail: the page, filtered by the patient from the keyboard, and its CSV
    page.goto(clinic.url + "clinic/audit/")
    text = main_text(page)
    assert "Downloaded" in text and public_id in text and "ann@north.example" in text
    check_wide_and_narrow(page, "audit-1-trail")
    page.get_by_label("Patient id").fill(public_id)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/clinic/audit/?patient={public_id}*")
    assert "None (a list)" not in main_text(page)
    check_wide_and_narrow(page, "audit-2-trail-one-patient")
    with page.expect_download() as got:
        page.get_by_role("link", name="Download these rows (CSV)").click()
    with open(got.value.path(), encoding="utf-8") as fh:
        table = list(csv.DictReader(io.StringIO(fh.read())))
    assert {t["patient"] for t in table} == {public_id}
    assert ("download", "export (CSV)") in {(t["action"], t["record"]) for t in table}

    # the patient reads what goes and what stays, then deletes their data
    phone.goto(clinic.url + "settings/")
    phone.get_by_role("link", name="See what goes and what stays").click()
    phone.wait_for_url("**/settings/erase/")
    assert "What North Physio must keep" in main_text(phone)
    check_page(phone, "audit-3-erase")
    phone.get_by_role("button", name="Delete my data").click()
    assert "type the word delete" in main_text(phone)
    check_page(phone, "audit-3-erase-refused")
    phone.get_by_label("To go on, type the word delete").fill("delete")
    phone.keyboard.press("Enter")
    phone.get_by_role("heading", name="Your data is deleted").wait_for()
    check_page(phone, "audit-4-erased")

    # the admin sees the export and the erasure
    page.goto(clinic.url + f"clinic/audit/?patient={public_id}")
    text = main_text(page)
    assert "Deleted" in text and "patient data" in text
    page.goto(clinic.url + "clinic/audit/")
    assert "Exported the audit trail" in main_text(page)
    check_wide_and_narrow(page, "audit-5-trail-after")
