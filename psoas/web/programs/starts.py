"""When a plan may start: the one rule the API and the CLI check (no Django here, so the
CLI can check `--start` before it opens the store).

A plan starts within a year of the day it is made: a later start is a typo, and one near
the end of the calendar (9999-12-31) leaves no room for its six weeks."""

from __future__ import annotations

from datetime import date, timedelta

PLAN_START_MAX_AHEAD = timedelta(days=366)


def latest_plan_start(today: date | None = None) -> date:
    """The last day a plan made today may start on."""
    return (today or date.today()) + PLAN_START_MAX_AHEAD
