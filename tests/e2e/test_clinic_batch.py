"""A clinician's batch of reports in a real browser on a real clinic server (`psoas serve`
with PSOAS_MODE=clinic on a fresh PostgreSQL database) and a real `psoas worker`, on a
375 px phone: Cara logs in with her password and second factor, asks for all her
patients' reports, watches the progress move without reloading the page (the batch
page's script), and downloads one report and the zip. Every page passes axe-core and
fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clinic_seed import PASSWORD
from tests.e2e.check import check_page, main_text
from tests.e2e.clinic_flows import staff_logs_in
from tests.e2e.conftest import ROOT
from tests.test_clinic_batch import step

pytestmark = [pytest.mark.store, pytest.mark.postgres]


def test_a_batch_of_reports_with_its_progress_and_downloads_on_a_phone(clinic, start_worker, phone):
    env = {**clinic.env, "PYTHONPATH": str(ROOT), "PSOAS_ALLOWED_HOSTS": "testserver"}
    ids = step(env, "seed")
    key = step(env, "device")
    staff_logs_in(phone, clinic.url, "cara@north.example", PASSWORD, key)

    phone.get_by_role("link", name="Reports", exact=True).click()
    phone.wait_for_url("**/clinic/reports/")
    assert "Ann Able" in main_text(phone) and ids[3] in main_text(phone)
    check_page(phone, "clinic-batch-ask")
    phone.get_by_role("button", name="Reports for all my patients (4)").click()
    phone.wait_for_url("**/clinic/reports/*/")
    assert "0 of 4 ready" in main_text(phone)
    assert phone.get_by_role("link", name="Check again").is_visible()
    check_page(phone, "clinic-batch-waiting")

    start_worker()  # the page's script shows the progress without a reload
    phone.locator("#batch-progress-label", has_text="3 of 4 ready").wait_for(timeout=120_000)
    assert "with no plan to report on" in main_text(phone)
    assert phone.locator("progress").get_attribute("value") == "4"
    check_page(phone, "clinic-batch-done")
    with phone.expect_download() as one:
        phone.locator("li", has_text="Ann Able").get_by_role("link").click()
    assert one.value.suggested_filename.startswith(ids[0])
    assert Path(one.value.path()).read_bytes().startswith(b"%PDF")
    with phone.expect_download() as everything:
        phone.get_by_role("link", name="Download all (3 reports, zip)").focus()
        phone.keyboard.press("Enter")
    assert Path(everything.value.path()).read_bytes().startswith(b"PK")
