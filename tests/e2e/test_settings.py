"""The settings page in a real browser: download the PDF report through its button, make
the calendar link and fetch it as a calendar app would, then delete everything after
typing the word, which leads back to the welcome page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.e2e.check import check_page, grade, main_text
from tests.e2e.flows import wait_for


def test_settings_downloads_calendar_link_and_delete(server, page):
    start = (date.today() - timedelta(days=3)).isoformat()
    r = server.cli("init", "--profile", "examples/desk_worker.json", "--start", start)
    assert r.returncode == 0, r.stderr
    r = server.cli("log", "--date", start, "--pain-before", "4", "--notes", "Felt easy today")
    assert r.returncode == 0, r.stderr
    page.goto(server.url + "settings/")
    assert page.title() == "Settings · psoas"
    assert grade(main_text(page)) <= 8
    check_page(page, "settings-page")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF report").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and download.value.suggested_filename.endswith(".pdf")

    page.get_by_role("button", name="Make my calendar link").click()
    page.wait_for_selector("#calendar_done")
    assert "You have a new calendar link" in main_text(page)
    check_page(page, "settings-calendar-link")
    url = page.locator("#feed_url").input_value()
    feed = page.request.get(url)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in feed.body()
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Make a new link").click()  # htmx swaps the card only
    wait_for(page, f"document.getElementById('feed_url').value !== {url!r}")
    assert page.evaluate("window.notReloaded") is True
    wait_for(page, "document.activeElement.id === 'calendar_done'")  # after settling
    assert page.request.get(url).status == 404
    assert page.request.get(page.locator("#feed_url").input_value()).ok

    page.get_by_role("button", name="Delete all my data").click()
    assert "type the word delete" in main_text(page)
    check_page(page, "settings-delete-not-confirmed")
    page.get_by_label("To go on, type the word delete").fill("delete")
    page.get_by_role("button", name="Delete all my data").click()
    page.wait_for_url(server.url)
    assert page.title() == "Welcome · psoas"
    check_page(page, "settings-after-delete")
    assert server.cli("history", "--json").stdout.strip() == "[]"


def test_settings_on_a_phone(server, phone):
    r = server.cli("init", "--profile", "examples/desk_worker.json")
    assert r.returncode == 0, r.stderr
    phone.goto(server.url + "settings/")
    check_page(phone, "settings-phone")
