"""A person's own report through the task queue, in a real browser (local mode: the job
runs right after the POST): the ask page, the button from the keyboard, the page with
the download link, and the PDF it gives. Both pages pass axe-core and fit 375 px."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.check import check_page, main_text


def test_asking_for_the_report_and_downloading_it(server, phone):
    r = server.cli("init", "--profile", "examples/desk_worker.json")
    assert r.returncode == 0, r.stderr
    phone.goto(server.url + "reports/")
    check_page(phone, "report-ask")
    phone.get_by_role("button", name="Make my report").focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/reports/*/")
    assert "Your report is ready" in main_text(phone)
    check_page(phone, "report-ready")
    with phone.expect_download() as got:
        phone.get_by_role("link", name="Download your report").click()
    assert got.value.suggested_filename.startswith("psoas-report-")
    assert Path(got.value.path()).read_bytes()[:4] == b"%PDF"
