"""Which calendar days get which session, for the six weeks of a plan.

Days are spread across each 7-day block; the strength session ("Strength and stretch")
goes on days at least 48 hours apart (ACSM 2011), and the stretch session fills the rest.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

DAY_OFFSETS = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 5),
    5: (0, 1, 2, 4, 5),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}
MIN_GAP_DAYS = 2  # 48 h between strength sessions


def week_pattern(times: list[int]) -> list[tuple[int, int]]:
    """(day offset in the week, session index) for sessions done `times[i]` a week each."""
    offsets = DAY_OFFSETS[sum(times)]
    if len(times) == 1:
        return [(d, 0) for d in offsets]
    first_left, last_first = times[0], None
    out = []
    for d in offsets:
        if first_left and (last_first is None or d - last_first >= MIN_GAP_DAYS):
            out.append((d, 0))
            first_left -= 1
            last_first = d
        else:
            out.append((d, 1))
    return out


def schedule(plan: dict[str, Any], start: date) -> list[tuple[date, int, int]]:
    """(date, program week, session index) for every session of an `ok` plan."""
    out = []
    for week in plan["weeks"]:
        times = [s["times_per_week"] for s in week["sessions"]]
        base = start + timedelta(days=7 * (week["week"] - 1))
        out += [(base + timedelta(days=d), week["week"], i) for d, i in week_pattern(times)]
    return out


def program_week(start: date, day: date) -> int:
    """The program week a day falls in (1-based; may be past 6 when the plan has ended)."""
    return (day - start).days // 7 + 1
