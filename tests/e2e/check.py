"""What every page must pass: axe-core with no serious or critical violation, no sideways
scrolling (at 375 px on the phone fixture), and a screenshot kept under test-artifacts/e2e/
(git ignores it) so a person can look at each step afterwards."""

from __future__ import annotations

import re

import textstat
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import ARTIFACTS

_axe = Axe()


def axe_problems(page) -> list[str]:
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check_page(page, name: str) -> None:
    """Screenshot, then accessibility and layout checks; a failure names what is wrong."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    problems = axe_problems(page)
    assert not problems, f"{name}: accessibility problems: {problems}"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name}: page is {width[0]} px wide in a {width[1]} px window"


def main_text(page, selector: str = "main") -> str:
    return page.inner_text(selector)


def grade(text: str) -> float:
    """US school grade of a text (Flesch-Kincaid, textstat 0.7.3 as the content tests)."""
    text = re.sub(r"\s*\n\s*", ". ", text.strip())
    return textstat.flesch_kincaid_grade(text)
