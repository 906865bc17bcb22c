"""The progress page and the check-in in a real browser on a phone: charts drawn from
sessions and check-ins seeded with the CLI, readable at 375 px, and a check-in that then
shows on the chart."""

from __future__ import annotations

from datetime import date, timedelta

from tests.e2e.check import check_page, grade, main_text


def _day(back: int) -> str:
    return (date.today() - timedelta(days=back)).isoformat()


def seed(server) -> None:
    r = server.cli("init", "--profile", "examples/desk_worker.json", "--start", _day(12))
    assert r.returncode == 0, r.stderr
    for back, before, after in ((12, 5, 4), (10, 4, 4), (6, 4, 3)):
        r = server.cli(
            "log", "--date", _day(back), "--pain-before", str(before), "--pain-after", str(after)
        )
        assert r.returncode == 0, r.stderr
    psfs = ["--psfs", "walking=4", "--psfs", "sitting=3", "--psfs", "stairs=5"]
    r = server.cli(
        "checkin", "--pain", "4", "--no-red-flags", "--no-input", "--date", _day(9), *psfs
    )
    assert r.returncode == 0, r.stderr


def test_progress_charts_on_a_phone(server, phone):
    seed(server)
    phone.goto(server.url + "progress/")
    assert phone.title() == "Progress · psoas"
    for chart in ("svg.chart--score", "svg.chart--calendar", "svg.chart--reached"):
        assert phone.locator(chart).first.is_visible(), chart
        box = phone.locator(chart).first.bounding_box()
        assert 250 <= box["width"] <= 375 and box["height"] > 25, (chart, box)
    assert phone.locator("svg.chart--calendar [data-planned]").count() > 0
    assert phone.locator("svg.chart--score line.baseline").count() == 2  # pain and activity
    assert phone.locator("svg.chart--score line.mcid").count() == 2
    text = main_text(phone)
    assert "At the start: 4 out of 10" in text
    assert grade(text) <= 8
    check_page(phone, "progress-phone")
    phone.get_by_text("Each week, as a table", exact=True).click()
    assert phone.get_by_role("table").first.is_visible()


def test_checkin_in_the_browser_then_on_the_chart(server, phone):
    seed(server)
    phone.goto(server.url + "checkin/")
    check_page(phone, "progress-checkin-form")
    phone.get_by_role("button", name="Save my check-in").click()
    assert "Please fix" in phone.title()
    assert phone.locator("#error-summary").is_visible()
    check_page(phone, "progress-checkin-errors")
    phone.locator("label[for=pain_2]").click()
    phone.get_by_label("None of these").check()  # the one-screen safety check
    phone.get_by_role("button", name="Save my check-in").click()
    assert phone.url.endswith("/checkin/done/")
    assert "Saved: pain 2 out of 10 today." in main_text(phone)
    check_page(phone, "progress-checkin-done")
    phone.get_by_role("link", name="See your progress").click()
    assert "Now: 2" in main_text(phone)
    check_page(phone, "progress-after-checkin")
