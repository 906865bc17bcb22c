"""The browser player in Chromium against the real server: a whole session on a sped-up
clock, a reload in the middle, the pain button, a phone, and a save made offline."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from tests.e2e.check import check_page, grade, main_text
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.flows import open_check, start, wait_for


@pytest.fixture
def seeded(server):
    r = server.cli("init", "--profile", "examples/desk_worker.json")
    assert r.returncode == 0, r.stderr
    return server


def saved_session(page, server, session_id: int) -> dict:
    """The session as the server keeps it (`GET /api/history`, what `psoas history` reads)."""
    r = page.request.get(server.url + "api/history")
    assert r.ok
    return next(s for s in r.json() if s["id"] == session_id)


def today_session(page, server) -> dict:
    return page.request.get(server.url + "api/today").json()["session"]


def wait_state(page, *states: str, timeout: float = 15_000) -> None:
    sel = ", ".join(f"#player[data-state={s}]" for s in states)
    page.wait_for_selector(sel, state="attached", timeout=timeout)


def test_full_session_saves_every_exercise_and_pain_after(seeded, page):
    session = today_session(page, seeded)
    sid = start(page, seeded)
    page.get_by_role("button", name="Start").click()
    wait_state(page, "asking")
    check_page(page, "player-end")
    page.locator("#p-end-form input[name=pain_after][value='1']").check()
    page.get_by_role("button", name="Save and finish").click()
    wait_state(page, "finished")
    page.wait_for_selector("#player[data-outbox='0']", state="attached")
    assert page.get_by_role("link", name="See your progress").is_visible()
    check_page(page, "player-summary")
    saved = saved_session(page, seeded, sid)
    assert saved["status"] == "completed" and saved["pain_after"] == 1
    assert saved["pain_before"] == 2
    done = {s["exercise_id"] for s in saved["sets"]}
    assert done == {e["id"] for e in session["exercises"]}
    assert all(s["status"] == "done" for s in saved["sets"])
    planned = sum(e["sets"] * (2 if e["side"] == "each" else 1) for e in session["exercises"])
    assert len(saved["sets"]) == planned
    page.goto(seeded.url + "today/")
    assert "Done for today" in main_text(page)


def test_reload_resumes_same_exercise_and_time_without_duplicates(seeded, page):
    sid = start(page, seeded, speed=60)
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#player[data-exercise='1']", state="attached", timeout=20_000)
    where = "({index: +player.dataset.step, end: +player.dataset.end})"
    before = page.evaluate(where)
    page.reload()
    wait_state(page, "running")
    assert page.evaluate("player.dataset.exercise") == "1"  # the same exercise
    after = page.evaluate(where)
    # the same schedule: the step it was on ends when it did before the reload; if the
    # reload took long enough for later steps to begin, each began at the end before it
    steps = page.evaluate("JSON.parse(document.getElementById('player-data').textContent).steps")
    assert 0 <= after["index"] - before["index"] <= 4
    later = sum(s["seconds"] for s in steps[before["index"] + 1 : after["index"] + 1])
    assert abs(after["end"] - (before["end"] + later * 1000)) < 1  # ms
    # a second reload with the first exercise already saved must not save it again
    page.reload()
    wait_state(page, "running")
    page.wait_for_selector("#player[data-outbox='0']", state="attached")
    rows = saved_session(page, seeded, sid)["sets"]
    keys = [(r["exercise_id"], r["set_number"], r["side"]) for r in rows]
    assert keys and len(keys) == len(set(keys))


def test_pain_button_stops_and_records(seeded, page):
    sid = start(page, seeded, speed=1)
    page.get_by_role("button", name="Start").click()
    wait_state(page, "running")
    page.keyboard.press("p")  # the key opens the same question as the button
    page.wait_for_selector("#p-pain-form:not([hidden])")
    check_page(page, "player-pain")
    page.get_by_role("button", name="Stop the session").click()  # no score yet: an error
    assert page.locator("#p-pain-error").is_visible()
    page.locator("#p-pain-form input[name=pain_stop][value='7']").check()
    page.get_by_role("button", name="Stop the session").click()
    wait_state(page, "finished")
    page.wait_for_selector("#player[data-outbox='0']", state="attached")
    assert "stopped for pain" in main_text(page)
    saved = saved_session(page, seeded, sid)
    assert saved["status"] == "stopped_for_pain" and saved["pain_after"] == 7
    assert saved["sets"] and all(s["status"] == "stopped_for_pain" for s in saved["sets"])
    assert {s["pain_during"] for s in saved["sets"]} == {7}


def test_phone_today_and_player_pages(seeded, phone):
    phone.goto(seeded.url + "today/")
    check_page(phone, "today-phone")
    open_check(phone)
    assert grade(phone.inner_text("form.form")) <= 6  # the safety check, read before moving
    phone.get_by_role("button", name="Start the session").click()  # nothing answered
    assert phone.get_by_role("alert").first.is_visible()
    check_page(phone, "today-errors-phone")
    start(phone, seeded, speed=1)
    check_page(phone, "player-ready-phone")
    phone.get_by_role("button", name="Start").tap()
    wait_state(phone, "running")
    check_page(phone, "player-running-phone")
    assert grade(phone.inner_text("#p-now")) <= 6
    phone.keyboard.press("Space")
    wait_state(phone, "paused")
    phone.keyboard.press("Space")
    wait_state(phone, "running")


def test_phone_one_screen_safety_check(seeded, phone):
    """The check before a session: the signs listed, one answer that must be given, no
    answer chosen for you; only a yes asks which, and one sign refers and saves no session."""
    phone.goto(seeded.url + "today/")
    open_check(phone)
    signs = phone.locator("#signs-list li")
    assert signs.count() == 10  # the emergency signs, for everyone
    assert phone.locator("input[name=warning_signs]:checked").count() == 0
    assert not phone.locator("#signs-which").is_visible()  # which: only after a yes
    text = phone.inner_text("section.signs")
    assert grade(text) <= 6, text
    # no answer: an error naming the question, and nothing starts
    phone.locator("input[name=pain][value='2']").check()
    phone.get_by_role("button", name="Start the session").click()
    summary = phone.locator("#error-summary")
    assert "Warning signs: choose None of these" in summary.inner_text()
    assert phone.url.endswith("/today/")
    check_page(phone, "today-check-unanswered-phone")
    # a yes asks which ones
    phone.get_by_label("Yes, one or more").check()
    assert phone.locator("#signs-which").is_visible()
    check_page(phone, "today-check-which-phone")
    phone.get_by_role("button", name="Start the session").click()  # yes, but none ticked
    assert "Tick each sign you have" in phone.locator("#error-summary").inner_text()
    assert phone.locator("#signs-which").is_visible()
    phone.locator("#sign-trouble_peeing").check()
    phone.get_by_role("button", name="Start the session").click()
    body = main_text(phone)
    assert "Get emergency help now" in body and "Your plan is stopped" in body
    check_page(phone, "today-check-referral-phone")
    history = json.loads(seeded.cli("history", "--json").stdout)
    assert history == []


def test_offline_save_arrives_once_when_back_online(seeded, page):
    sid = start(page, seeded, speed=1)
    wait_for(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    first = today_session(page, seeded)["exercises"][0]["id"]
    # The network gone: the browser offline, and the server stopped too, because requests
    # a service worker passes on escape the browser's offline switch.
    page.context.set_offline(True)
    port = seeded.url.rstrip("/").rsplit(":", 1)[1]
    stop_server(seeded)
    page.get_by_role("button", name="Start").click()
    wait_state(page, "running")
    page.get_by_role("button", name="Skip exercise").click()  # ends the first exercise
    page.wait_for_selector("#player[data-outbox='1']", state="attached")
    assert "Offline" in page.inner_text("#p-net")
    page.reload()  # the service worker serves the page with the network gone
    wait_state(page, "running", "paused")
    assert page.evaluate("player.dataset.exercise") == "1"
    history = json.loads(seeded.cli("history", "--json").stdout)
    assert not next(s for s in history if s["id"] == sid)["sets"]
    seeded.process = start_server(seeded.env, "--port", port).process
    page.context.set_offline(False)
    page.wait_for_selector("#player[data-outbox='0']", state="attached", timeout=15_000)
    time.sleep(0.5)
    rows = saved_session(page, seeded, sid)["sets"]
    assert {r["exercise_id"] for r in rows} == {first}
    assert all(r["status"] == "skipped" for r in rows)
    keys = [(r["set_number"], r["side"]) for r in rows]
    assert len(keys) == len(set(keys))


# The player's keep-awake video (player.js), playing or not there / stopped.
AWAKE_VIDEO_PLAYING = (
    "(() => { const v = document.getElementById('p-awake');"
    " return !!v && !v.paused && v.currentTime > 0; })()"
)
AWAKE_VIDEO_STOPPED = (
    "(() => { const v = document.getElementById('p-awake'); return !v || v.paused; })()"
)


def test_without_the_wake_lock_api_a_muted_video_keeps_the_screen_on(seeded, page):
    page.context.add_init_script("delete Navigator.prototype.wakeLock")
    start(page, seeded, speed=20)
    assert page.evaluate("'wakeLock' in navigator") is False
    assert page.evaluate(AWAKE_VIDEO_STOPPED)
    page.get_by_role("button", name="Start").click()
    wait_for(page, AWAKE_VIDEO_PLAYING)
    assert page.evaluate("document.getElementById('p-awake').muted")
    page.keyboard.press("Space")
    wait_state(page, "paused")
    wait_for(page, AWAKE_VIDEO_STOPPED)
    page.keyboard.press("Space")
    wait_for(page, AWAKE_VIDEO_PLAYING)
    wait_state(page, "asking", timeout=60_000)  # the session ran to its end
    wait_for(page, AWAKE_VIDEO_STOPPED)


def readout(page) -> dict:
    return page.evaluate(
        "({state: player.dataset.state, step: +player.dataset.step,"
        " clock: document.getElementById('p-clock').textContent,"
        " what: document.getElementById('p-what').textContent})"
    )


def pause_soon(page, seconds: float) -> None:
    """Stop the page's fake clock `seconds` from its now."""
    now = page.evaluate("Date.now()") / 1000
    page.clock.pause_at(datetime.fromtimestamp(now + seconds, tz=UTC))


def test_a_long_gap_pauses_as_away_and_counts_for_nothing(seeded, page):
    """The laptop lid shut for five minutes (Playwright's clock jumps, firing the player's
    timer once): the player pauses where it last ran, says so, and saves nothing for the
    gap; a gap under two minutes is caught up as before."""
    page.clock.install()
    sid = start(page, seeded, speed=1)
    pause_soon(page, 60)  # from here time moves only when the test says
    page.get_by_role("button", name="Start").click()
    page.clock.run_for(15_000)  # past "get ready", into the first exercise
    before = readout(page)
    assert before["state"] == "running" and before["step"] >= 1
    page.clock.fast_forward("05:00")
    away = readout(page)
    assert away["state"] == "paused"
    assert away["step"] == before["step"] and away["clock"] == before["clock"]
    assert away["what"].startswith("You were away · ")
    page.clock.resume()  # time flows again (axe-core needs its timers)
    assert page.locator("#p-away").is_visible()
    assert "You were away, so the session paused" in page.inner_text("#p-away")
    assert page.get_by_role("button", name="Go on").is_visible()
    check_page(page, "player-away")
    assert grade(page.inner_text("#p-away")) <= 6
    assert saved_session(page, seeded, sid)["sets"] == []  # nothing done in the gap
    assert readout(page)["state"] == "paused"  # it waits for the person
    pause_soon(page, 1)
    page.get_by_role("button", name="Go on").click()
    page.clock.run_for(200)
    back = readout(page)
    assert back["state"] == "running" and back["step"] == before["step"]
    assert back["clock"] == before["clock"]  # on from where it stood
    assert not page.locator("#p-away").is_visible()
    page.clock.fast_forward("01:30")  # under two minutes: caught up, as a phone locked
    page.clock.run_for(200)
    short = readout(page)
    assert short["state"] == "running" and short["step"] > before["step"]


def test_a_reload_after_a_long_gap_comes_back_away(seeded, page):
    """The tab closed or frozen for five minutes: the player's saved state says when it
    last ran, and the reload pauses there, with the step's time as it was."""
    sid = start(page, seeded, speed=1)
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#player[data-step='1']", state="attached", timeout=20_000)
    session_url = page.url
    page.goto(seeded.url + "ping")  # the player is gone; its state stays
    key = f"psoas-player-{sid}"
    saved = page.evaluate(f"JSON.parse(localStorage.getItem('{key}'))")
    assert saved["state"] == "running" and saved["seen"] < saved["end"]
    left_ms = saved["end"] - saved["seen"]
    five_minutes_ago = {**saved, "seen": saved["seen"] - 300_000, "end": saved["end"] - 300_000}
    page.evaluate(f"localStorage.setItem('{key}', {json.dumps(json.dumps(five_minutes_ago))})")
    page.goto(session_url)
    wait_state(page, "paused")
    back = readout(page)
    assert back["step"] == saved["index"] and back["what"].startswith("You were away · ")
    shown = int(back["clock"].split(":")[0]) * 60 + int(back["clock"].split(":")[1])
    assert abs(shown - left_ms / 1000) <= 1
    assert page.locator("#p-away").is_visible()
