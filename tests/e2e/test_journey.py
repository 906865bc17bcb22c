"""The whole product in a browser, as a new person meets it: the welcome page, the safety
screen and the rest of the intake, the plan, today's session played on a sped-up clock,
and the progress page showing that session. Only `psoas serve` was run in a terminal."""

from __future__ import annotations

from datetime import date

from tests.e2e.check import check_page, main_text
from tests.e2e.flows import start


def test_new_person_from_welcome_to_a_finished_session_on_the_progress_chart(server, page):
    page.goto(server.url)
    check_page(page, "journey-1-welcome")
    page.get_by_role("link", name="Start the safety questions").click()

    page.wait_for_url("**/start/about/")
    page.get_by_label("How old are you?").fill("38")
    page.locator("#group_pregnant").get_by_text("No", exact=True).click()
    page.locator("#group_birth").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Next").click()

    page.wait_for_url("**/start/safety/")
    for group in page.locator("fieldset.field").all():
        group.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Next").click()

    page.wait_for_url("**/start/health/")
    page.get_by_label("None of these").check()
    page.locator("#group_hip").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Next").click()

    page.wait_for_url("**/start/limits/")
    page.get_by_label("a sturdy chair").check()
    page.locator("#group_balance").get_by_text("Yes, I can do both").click()
    page.get_by_role("button", name="Next").click()

    page.wait_for_url("**/start/routine/")
    page.get_by_label("About how many hours a day do you sit?").fill("9")
    page.locator(".scale").get_by_text("4", exact=True).click()
    page.get_by_role("button", name="Next").click()

    page.wait_for_url("**/start/self-tests/")
    page.get_by_label("Hold test, left side, seconds").fill("12")
    page.get_by_label("Hold test, right side, seconds").fill("20")
    page.get_by_role("button", name="Make my plan", exact=True).click()

    page.wait_for_url("**/plan/")
    check_page(page, "journey-2-plan")
    assert "Your exercises and why" in main_text(page)
    page.get_by_role("link", name="Today", exact=True).click()  # sitting 9 h: daily sessions

    page.wait_for_url("**/today/")
    check_page(page, "journey-3-today")
    session_id = start(page, server, speed=300, pain=4)
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#player[data-state=asking]", state="attached", timeout=30_000)
    page.locator("#p-end-form input[name=pain_after][value='3']").check()
    page.get_by_role("button", name="Save and finish").click()
    page.wait_for_selector("#player[data-state=finished]", state="attached")
    page.wait_for_selector("#player[data-outbox='0']", state="attached")
    check_page(page, "journey-4-finished")

    page.get_by_role("link", name="See your progress").click()
    page.wait_for_url("**/progress/")
    check_page(page, "journey-5-progress")
    today = page.locator(f"svg.chart--calendar [data-day='{date.today().isoformat()}']")
    assert today.get_attribute("data-state") == "done"
    assert page.locator("svg.chart--reached").count() >= 1  # what was reached, per exercise
    history = page.request.get(server.url + "api/history").json()
    assert [s["id"] for s in history] == [session_id] and history[0]["status"] == "completed"
