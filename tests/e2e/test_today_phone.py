"""The today page on a small phone (375 x 667, an iPhone SE): with no scrolling, the first
screen says what today's session is and how to start it, and in every other state of the
day what to do. The exercises, the safety check and the manual log fold (native
<details>), so the page is short until the person opens one.

Measured on this phone before the folds: 2,933 px with a session (3,614 px for a pregnant
person, whose check lists 18 signs). Folded: 813 px for both."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.e2e.check import check_page
from tests.e2e.flows import fold

SCREEN = {"width": 375, "height": 667}
FOLDED_MAX = 1000  # px, the whole page with a session and its folds closed (813 measured)
START = "Start today's session"


@pytest.fixture
def small(phone):
    """The phone fixture (375 px wide, touch) with the short screen of an iPhone SE."""
    phone.set_viewport_size(SCREEN)
    return phone


def in_first_screen(locator) -> bool:
    """Whether the element is on screen, whole, before any scrolling."""
    assert locator.count() == 1, f"{locator} matches {locator.count()} elements"
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    assert locator.evaluate("() => window.scrollY") == 0
    return box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"]


def page_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def day(back: int) -> str:
    return (date.today() - timedelta(days=back)).isoformat()


def init(server, profile: str, *args: str, code: int = 0) -> None:
    r = server.cli("init", "--profile", f"examples/{profile}.json", *args)
    assert r.returncode == code, r.stderr


def today_json(server) -> dict:
    r = server.cli("today", "--json")
    assert r.returncode in (0, 3), r.stderr
    return json.loads(r.stdout)


# --- a session today ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "notes"),
    [
        ("desk_worker", False),
        ("pregnant_24_weeks", False),  # the longest check: pregnancy signs too
        ("desk_worker", True),  # two notes on today's dose: missed weeks, pain up
    ],
)
def test_first_screen_says_what_the_session_is_and_starts_it(server, small, profile, notes):
    if notes:
        init(server, profile, "--start", day(15))
        r = server.cli("checkin", "--pain", "8", "--no-red-flags", "--no-input")
        assert r.returncode == 0, r.stderr
    else:
        init(server, profile)
    session = today_json(server)["session"]
    small.goto(server.url + "today/")
    what = small.locator(".today-session__what")
    n = len(session["exercises"])
    minutes = max(1, round(session["estimated_minutes"]))
    text = what.inner_text()
    assert session["name"] in text and f"{n} exercises" in text, text
    assert f"about {minutes} minute" in text, text
    for shown in (small.get_by_role("heading", name="Today's session"), what, fold(small, START)):
        assert shown.is_visible() and in_first_screen(shown), shown
    height = page_height(small)
    assert height <= FOLDED_MAX, f"the folded page is {height} px tall"
    check_page(small, f"today-first-screen-{profile}{'-notes' if notes else ''}")
    # the notes on today's dose come with the check, read before starting
    fold(small, START).click()
    note = small.get_by_text("so you do week 1 again")
    assert note.is_visible() if notes else note.count() == 0


def test_each_fold_opens_to_show_what_it_holds(server, small):
    init(server, "desk_worker")
    names = [e["name"] for e in today_json(server)["session"]["exercises"]]
    small.goto(server.url + "today/")
    links = [small.get_by_role("link", name=name, exact=True) for name in names]
    signs = small.locator("#signs-list")
    log_button = small.get_by_role("button", name="Log it as done")
    assert not any(link.is_visible() for link in links)
    assert not signs.is_visible() and not log_button.is_visible()
    assert not small.get_by_role("button", name="Start the session").is_visible()

    fold(small, "See the exercises").click()
    assert all(link.is_visible() for link in links)
    assert small.locator(".today-list li").count() == len(names)
    fold(small, START).click()
    assert signs.is_visible() and signs.locator("li").count() == 10
    assert small.get_by_label("None of these").is_visible()
    assert small.get_by_role("button", name="Start the session").is_visible()
    fold(small, "I did it without the app").click()
    assert log_button.is_visible()
    assert page_height(small) > FOLDED_MAX  # the rest of the page was in the folds
    check_page(small, "today-folds-open-phone")
    # and they close again
    fold(small, START).click()
    assert not signs.is_visible()


def test_start_from_the_keyboard(server, small):
    """Tab to the start, Enter opens the check, then the answers and the start by keys."""
    init(server, "desk_worker")
    small.goto(server.url + "today/")
    focused = "document.activeElement"
    for _ in range(20):
        small.keyboard.press("Tab")
        if small.evaluate(f"{focused}.matches('.today-start > summary')"):
            break
    else:
        pytest.fail(f"Tab never reached {START!r}")
    ring = small.evaluate(f"getComputedStyle({focused}).outlineStyle")
    assert ring == "solid", "the focus on the start is not visible"
    small.keyboard.press("Enter")
    assert small.evaluate("document.querySelector('.today-start').open")
    small.keyboard.press("Tab")
    assert small.evaluate(f"{focused}.id") == "warning_signs-none"
    small.keyboard.press("Space")
    small.keyboard.press("Tab")
    assert small.evaluate(f"{focused}.id") == "pain-0"
    small.keyboard.press("Space")
    small.keyboard.press("ArrowRight")
    small.keyboard.press("ArrowRight")
    small.keyboard.press("Tab")
    assert small.evaluate(f"{focused}.textContent") == "Start the session"
    small.keyboard.press("Enter")
    small.wait_for_url("**/session/*/")
    history = json.loads(server.cli("history", "--json").stdout)
    assert [s["pain_before"] for s in history] == [2]


def test_desktop_shows_the_session_and_the_start_at_once(server, page):
    init(server, "desk_worker")
    page.goto(server.url + "today/")
    assert page.locator(".today-session__what").is_visible()
    box = fold(page, START).bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900
    check_page(page, "today-desktop")


# --- the other states of the day --------------------------------------------------------


def rest_day(server) -> None:
    """A plan with rest days, started so that today is one of them."""
    for back in range(7):
        init(server, "runner", "--start", day(back))
        if today_json(server)["status"] == "rest_day":
            return
    pytest.fail("no start date makes today a rest day")


def stopped_at_checkin(server) -> None:
    """A warning sign at a check-in stops the program."""
    init(server, "desk_worker")
    r = server.cli("checkin", "--pain", "3", "--red-flag", "trouble_peeing", "--no-input")
    assert r.returncode == 3, r.stderr


def done_today(server) -> None:
    """Today's session done away from the app."""
    init(server, "desk_worker")
    r = server.cli("log", "--pain-after", "2")
    assert r.returncode == 0, r.stderr


STATES = {  # state: (seed, the heading, what to do)
    "no_plan": (lambda s: None, "You have no plan yet", ("link", "Make my plan")),
    "rest_day": (rest_day, "Rest day", ("text", "Your next session is on")),
    "referred": (
        lambda s: init(s, "red_flag", code=3),
        "Get emergency help now",
        ("text", "Call your emergency number now"),
    ),
    "stopped": (stopped_at_checkin, "Get emergency help now", ("text", "Do not exercise.")),
    "not_started": (
        lambda s: init(s, "desk_worker", "--start", day(-5)),
        "Your plan has not started yet",
        ("text", "It starts on"),
    ),
    "block_end": (
        lambda s: init(s, "desk_worker", "--start", day(60)),
        "Your six weeks are done",
        ("link", "Do the re-test"),
    ),
    "done": (done_today, "Done for today", ("link", "See your progress")),
}


@pytest.mark.parametrize("state", STATES)
def test_every_other_state_says_what_to_do_in_the_first_screen(server, small, state):
    seed, heading, (kind, action) = STATES[state]
    seed(server)
    small.goto(server.url + "today/")
    title = small.get_by_role("heading", name=heading, level=2)
    todo = (
        small.get_by_role("link", name=action)
        if kind == "link"
        else small.locator("main p", has_text=action)
    )
    assert in_first_screen(title) and in_first_screen(todo), state
    check_page(small, f"today-{state}-phone")
