"""Move breaks in a real browser against `psoas serve`: a reminder comes due while psoas is
open in a tab, the page claims it and Chromium (notification permission granted) shows a
notification with actions through the service worker; taking the break from it opens the
guided break, the session player plays it, and Progress counts it. Where notifications
are not allowed (a phone that was never asked), the banner does the job. Settings turns
breaks on in one step with the browser's own time zone. axe and 375 px on every page.

The notifications are watched by wrapping `Notification` and `showNotification` in an init
script that records each call and still calls the real one."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.e2e.check import check_page, grade, main_text
from tests.e2e.conftest import ROOT
from tests.e2e.flows import wait_for

SPEED = 60  # a two-minute break in two seconds
RECORD = """
window.__notes = [];
if (window.Notification) {
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notes.push({ kind: "page", title, body: (options || {}).body || "" });
      window.__lastNote = this;
    }
  };
}
if (window.ServiceWorkerRegistration) {
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    const o = options || {};
    window.__notes.push({ kind: "worker", title, body: o.body || "",
      actions: (o.actions || []).map((a) => a.action) });
    return show.call(this, title, o);
  };
}
"""
SEED = """
import sys
from datetime import timedelta
from django.utils import timezone
from psoas.web.bootstrap import setup
setup()
from psoas.web.programs.services import local_person
from tests.breaks_seed import due_at
due_at(local_person(), timezone.now() + timedelta(seconds=float(sys.argv[1])))
"""
CLICK = """async (action) => {
  const [note] = await self.registration.getNotifications({ tag: "psoas-break" });
  if (!note) return null;
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification: note, action }));
  return note.title;
}"""


def seed_due_in(server, seconds: float) -> None:
    """Breaks on all day, the first reminder `seconds` from now."""
    r = subprocess.run(
        [sys.executable, "-c", SEED, str(seconds)],
        env=server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr


def status(page, server) -> dict:
    return page.request.get(server.url + "api/breaks").json()


def test_a_notification_from_the_tab_takes_the_break_and_progress_counts_it(server, page):
    r = server.cli("init", "--profile", "examples/desk_worker.json")
    assert r.returncode == 0, r.stderr
    ctx = page.context
    ctx.grant_permissions(["notifications"], origin=server.url.rstrip("/"))
    ctx.add_init_script(RECORD)
    seed_due_in(server, 8)
    page.goto(server.url + "breaks/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => Notification.permission)") == (
        "granted"
    )
    check_page(page, "breaks-page")
    assert "Notifications are on for this browser." in main_text(page)
    wait_for(page, "window.__notes.length > 0", timeout=30)
    [note] = page.evaluate("window.__notes")
    assert note == {
        "kind": "worker",
        "title": "Time to move",
        "body": "Stand up for a 2-minute break: a short walk or a stretch.",
        "actions": ["take", "snooze"],
    }
    # the page claimed the reminder: the store says it was shown, from the web
    shown = status(page, server)
    assert shown["shown_at"] and shown["can_snooze"] and shown["today"]["prompted"] == 1
    page.wait_for_selector("#break-banner")  # and the banner waits in the page too
    assert "Time to move." in page.inner_text("#break-banner")
    check_page(page, "breaks-banner")

    # "Take the break" on the notification: the service worker opens the guided break
    worker = ctx.service_workers[0]
    assert worker.evaluate(CLICK, "take") == "Time to move"
    deadline = time.monotonic() + 10
    while not any("/breaks/now/" in p.url for p in ctx.pages):
        assert time.monotonic() < deadline, [p.url for p in ctx.pages]
        page.wait_for_timeout(50)
    guided = next(p for p in ctx.pages if "/breaks/now/" in p.url)
    guided.wait_for_load_state()
    assert guided.title() == "Move break · psoas"
    assert guided.locator("#break-banner").count() == 0  # no banner over the break itself
    check_page(guided, "break-now")
    data = json.loads(guided.locator("#player-data").text_content())
    assert data["kind"] == "break" and data["exercises"]
    guided.goto(server.url + f"breaks/now/?speed={SPEED}")
    guided.get_by_role("button", name="Start").click()
    wait_for(guided, "document.getElementById('player').dataset.state === 'finished'", 30)
    wait_for(guided, "document.getElementById('player').dataset.outbox === '0'")
    assert guided.locator("#p-summary-title").inner_text() == "Break done"
    assert guided.locator("#p-end-form").is_hidden()  # a break asks no pain at the end
    check_page(guided, "break-done")
    after = status(guided, server)
    assert after["today"]["taken"] == 1 and after["shown_at"] is None

    guided.get_by_role("link", name="See your progress").click()
    guided.wait_for_url("**/progress/")
    words = main_text(guided)
    assert "In the last 7 days you moved 1 time on a break, with 1 reminder." in words
    assert "1 reminder, 1 taken, 0 natural, 0 snoozed, 0 skipped." in words
    check_page(guided, "progress-breaks")


def test_without_notifications_the_banner_reminds_on_a_phone(server, phone):
    seed_due_in(server, 3)
    phone.goto(server.url + "today/")
    phone.wait_for_selector("#break-banner", timeout=30_000)
    assert phone.evaluate("Notification.permission") != "granted"
    banner = phone.locator("#break-banner")
    assert "Time to move. Stand up for a 2-minute break" in banner.inner_text()
    check_page(phone, "breaks-banner-phone")
    banner.get_by_role("button", name="Snooze 5 min").click()
    phone.wait_for_selector("#break-banner", state="detached")
    assert status(phone, server)["today"]["snoozed"] == 1
    phone.goto(server.url + "breaks/")
    if phone.evaluate("Notification.permission") == "default":  # asks only on a tap
        assert "Show break reminders as notifications" in main_text(phone)
    else:
        assert "The banner at the top of the page reminds you instead." in main_text(phone)
    check_page(phone, "breaks-page-phone")
    phone.get_by_role("button", name="I moved").click()
    phone.wait_for_url("**/breaks/?done=taken")
    assert "Well done. That break counts." in main_text(phone)
    assert status(phone, server)["today"]["taken"] == 1
    phone.goto(server.url + "breaks/now/?speed=60")
    assert "Move break: a short walk" in main_text(phone)  # no plan yet: a walk
    check_page(phone, "break-walk-phone")
    phone.get_by_role("button", name="Start").click()
    wait_for(phone, "document.getElementById('walk').dataset.state === 'finished'", 30)
    assert "Well done. That break counts." in phone.locator("#w-summary").inner_text()
    assert status(phone, server)["today"]["taken"] == 2
    phone.goto(server.url + "progress/")
    check_page(phone, "progress-breaks-phone")


def test_settings_turns_breaks_on_with_the_browsers_time_zone(server, browser):
    ctx = browser.new_context(
        viewport={"width": 375, "height": 740}, timezone_id="America/Chicago", is_mobile=True
    )
    server.let_in(ctx)
    page = ctx.new_page()
    try:
        page.goto(server.url + "settings/")
        section = page.locator("#breaks")
        assert "Move breaks are off." in section.inner_text()
        assert grade(section.inner_text()) <= 8
        check_page(page, "settings-breaks-off")
        section.get_by_role("button", name="Turn move breaks on").click()
        page.wait_for_url("**/settings/?breaks=on#breaks")
        assert "Move breaks are on." in page.locator("#breaks").inner_text()
        saved = page.request.get(server.url + "api/breaks/settings").json()
        assert saved["enabled"] is True and saved["zone"] == "America/Chicago"
        page.locator("summary", has_text="Change your break times").click()
        page.get_by_label("Minutes between reminders").fill("90")
        page.get_by_label("Wednesday").fill("9 to 5")
        page.get_by_role("button", name="Save break times").click()
        errors = page.locator("#error-summary")
        assert "Minutes between reminders: must be a whole number from 20 to 60" in (
            errors.inner_text()
        )
        assert "Wednesday: '9 to 5' is not start-end" in errors.inner_text()
        assert page.get_by_label("Wednesday").input_value() == "9 to 5"  # nothing lost
        check_page(page, "settings-breaks-errors")
        page.get_by_label("Minutes between reminders").fill("45")
        page.get_by_label("Wednesday").fill("09:00-12:00, 13:00-17:00")
        page.get_by_role("button", name="Save break times").click()
        page.wait_for_url("**/settings/?breaks=saved#breaks")
        saved = page.request.get(server.url + "api/breaks/settings").json()
        assert saved["interval_min"] == 45 and saved["enabled"] is True
        assert saved["working_hours"]["wed"] == [["09:00", "12:00"], ["13:00", "17:00"]]
        assert saved["zone"] == "America/Chicago"
        r = server.cli("init", "--profile", "examples/desk_worker.json")
        assert r.returncode == 0, r.stderr
        page.goto(server.url + "breaks/now/")  # exercises from the plan, on a phone
        assert page.locator("#player-data").count() == 1
        check_page(page, "break-now-phone")
    finally:
        ctx.close()
