"""Steps several browser tests (and tools/web_screenshots.py) take the same way."""

from __future__ import annotations

import time

SPEED = 200  # a 6-minute session in about 2 seconds


def fold(page, name: str):
    """The summary of a fold (a native <details>) whose summary reads `name`; Playwright
    gives a summary no role, so it is found by its element and text."""
    return page.locator("summary", has_text=name)


def open_check(page) -> None:
    """On the today page: "Start today's session", which opens the safety check."""
    fold(page, "Start today's session").click()
    page.get_by_label("None of these").wait_for()


def start(page, server, speed: int | None = SPEED, pain: int = 2) -> int:
    """On the today page: "Start today's session", "None of these" to the safety check, a
    pain score, start; the session id. `speed` reopens the player with its clock that many
    times faster."""
    page.goto(server.url + "today/")
    open_check(page)
    page.get_by_label("None of these").check()
    page.locator(f"input[name=pain][value='{pain}']").check()
    page.get_by_role("button", name="Start the session").click()
    page.wait_for_url("**/session/*/")
    session_id = int(page.url.rstrip("/").split("/")[-1])
    if speed:
        page.goto(f"{page.url}?speed={speed}")
    return session_id


def wait_for(page, expression: str, timeout: float = 10) -> None:
    """page.wait_for_function without its eval, which the pages' Content-Security-Policy
    refuses: page.evaluate runs outside the policy, so poll with it."""
    end = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < end, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)
